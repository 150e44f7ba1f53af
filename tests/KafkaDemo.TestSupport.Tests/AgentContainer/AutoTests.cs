using System.Text.RegularExpressions;
using KafkaDemo.TestSupport.AgentContainer;
using Microsoft.Extensions.Time.Testing;
using static KafkaDemo.TestSupport.Tests.AgentContainer.AgentWorlds;
using static KafkaDemo.TestSupport.Tests.AgentContainer.PodExec;

namespace KafkaDemo.TestSupport.Tests.AgentContainer;

/// <summary>
/// <c>vibectl auto</c> as the Overseer runs it (under flock and timeout, COLUMNS=10000, stdin off):
/// the transcript vibectl 0.11.6 prints, the real kubectl acting as the pod's service account, the
/// interval between iterations, and how sessions end when the key, the model or stdin is missing
/// (vibectl-0.11.6.md §5-§9, §12-§13).
/// </summary>
public sealed partial class AutoTests
{
    private const string Lock = "/tmp/kafkademo-agent-round.lock";
    private const string Consulting = "🔄 Consulting claude-sonnet-4.6 for a plan...";
    private static readonly string[] Round = ["flock", "-n", "-E", "75", Lock, "timeout", "--kill-after=10", "300", "env", "COLUMNS=10000", "vibectl", "auto", "--limit", "3"];
    private static readonly string[] OneIteration = ["env", "COLUMNS=10000", "vibectl", "auto", "--limit", "1"];

    [Fact]
    public async Task A_round_prints_vibectls_transcript_and_patches_the_Kafka_as_the_pods_service_account()
    {
        RequiredTools.Kubectl();
        await using var world = await WithLlmKeyAsync(new FastForwardTime());
        await ConfigureLikeTheOverseerAsync(world);
        await RunAsync(world, "env", "COLUMNS=10000", "vibectl", "instructions", "set", "--", "Tune the brokers.");

        var outcome = await RunAsync(world, Round);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
        [
            Consulting,
            "🔄 Running: kubectl get kafka kafkademo -n kafka -o jsonpath={.spec.kafka.config}",
            "🔄 kubectl get",
            "✨ Vibe",
            "The brokers run with num.io.threads=2.",
            Consulting,
            """🔄 Running: kubectl patch kafka kafkademo -n kafka --type merge -p {"spec":{"kafka":{"config":{"num.io.threads":4}}}}""",
            "🔄 kubectl patch",
            "✨ Vibe",
            "kafka.kafka.strimzi.io/kafkademo patched The brokers apply the new thread pool size without a restart.",
            Consulting,
        ], outcome.StdoutLines);
        Assert.Equal(
        [
            "Note: Starting vibectl auto session",
            "Note: Waiting 5 seconds before next iteration...",
            "Note: Waiting 5 seconds before next iteration...",
            "Note: Auto session exited by user",
        ], outcome.StderrLines);

        // Plan, memory, summary, memory for each command; plan and memory for DONE.
        Assert.Equal(["plan", "memory-update", "summary", "memory-update", "plan", "memory-update", "summary", "memory-update", "plan", "memory-update"],
            world.Agent.Services.Requests.Select(r => r.Kind));
        Assert.All(world.Agent.Model.Calls, c => Assert.Equal(("anthropic/claude-sonnet-4-6", "Tune the brokers."), (c.ModelId, c.CustomInstructions)));
        var patch = Assert.Single(world.Api.Requests, r => r.Method == "PATCH" && r.Path.EndsWith("/kafkas/kafkademo", StringComparison.Ordinal));
        Assert.Equal(("kubectl-patch", 200), (patch.FieldManager, patch.StatusCode));

        // kubectl sends the pod's token only to a TLS server (client-go reads no credentials for plain HTTP).
        Assert.Equal(world.Api.BaseAddress.Scheme == "https" ? "system:serviceaccount:kafkademo-agent:vibectl" : null, patch.User);
        Assert.Equal([("get", 0), ("patch", 0)], world.Agent.KubectlRuns.Select(r => (r.Arguments[0], r.ExitCode)));
        var memory = (await world.ReadVibectlAsync(Token))!.Memory!;
        Assert.StartsWith("Ran kubectl get kafka kafkademo", memory, StringComparison.Ordinal);
        Assert.True(memory.Length <= 500, memory);
    }

    [Fact]
    public async Task Each_iteration_is_followed_by_the_interval_and_timeout_ends_the_session_on_its_clock_with_124()
    {
        RequiredTools.Kubectl();
        var time = new CountingTime();
        var model = new ScriptedModel { Planner = _ => ModelAnswer.Plan(PlannerAction.Command(DemoAgent.LookCommand)) };
        await using var world = await WithLlmKeyAsync(time, model);
        await ConfigureLikeTheOverseerAsync(world);

        var session = RunAsync(world, "timeout", "7", "env", "COLUMNS=10000", "vibectl", "auto", "--limit", "5");
        await UntilAsync(() => time.Timers == 2, "the first interval did not start");
        time.Advance(TimeSpan.FromSeconds(5));
        await UntilAsync(() => time.Timers == 3, "the second interval did not start");
        Assert.False(session.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        var outcome = await session;

        string[] iteration = [Consulting, "🔄 Running: kubectl get kafka kafkademo -n kafka -o jsonpath={.spec.kafka.config}", "🔄 kubectl get", "✨ Vibe", "The brokers run with num.io.threads=2."];
        Assert.Equal(124, outcome.ExitCode);
        Assert.Equal([.. iteration, .. iteration], outcome.StdoutLines);
        Assert.Equal(["Note: Starting vibectl auto session", "Note: Waiting 5 seconds before next iteration...", "Note: Waiting 5 seconds before next iteration..."], outcome.StderrLines);
        Assert.Empty(world.Agent.RunningProcesses(AgentWorld.AgentNamespace, (await world.WaitForAgentPodAsync(Token)).Metadata.Name));
    }

    [Fact]
    public async Task With_the_key_only_in_VIBECTL_ANTHROPIC_API_KEY_every_call_lacks_it_and_the_session_ends_with_exit_0()
    {
        // The Deployment as first shipped (issue 14, defect 1): the key only in vibectl's variables.
        await using var world = await StartAsync(new AgentWorldOptions
        {
            EditDeployment = AgentDeploymentEdits.KeyOnlyInVibectlVariables,
            Programs = new AgentContainerOptions { Time = new FastForwardTime() },
        });
        await ConfigureLikeTheOverseerAsync(world);

        var outcome = await RunAsync(world, OneIteration);

        const string NoKey = "No key found - add one using 'llm keys set anthropic' or set the ANTHROPIC_API_KEY environment variable";
        Assert.Equal((0, Consulting + "\n"), (outcome.ExitCode!.Value, outcome.Stdout));
        Assert.Equal(
        [
            "Note: Starting vibectl auto session",
            $"[WARNING] LLM call to model 'anthropic/claude-sonnet-4-6' failed. Attempts (if adaptation stage): 1. Last/Relevant llm_lib_latency: N ms, Total Duration: N ms. Error: {NoKey}",
            $"[WARNING] LLM call to model 'anthropic/claude-sonnet-4-6' failed. Attempts (if adaptation stage): 1. Last/Relevant llm_lib_latency: N ms, Total Duration: N ms. Error: {NoKey}",
            $"[WARNING] Ignoring memory update error: LLM Execution Error for model anthropic/claude-sonnet-4-6: {NoKey}",
            $"Error: Error executing vibe request: LLM Execution Error for model anthropic/claude-sonnet-4-6: {NoKey}",
            "Error: Missing API key. Please set OPENAI_API_KEY environment variable.",
        ], Latencies().Replace(outcome.Stderr, "N ms").TrimEnd('\n').Split('\n'));
        Assert.Empty(world.Agent.Services.Requests);
        Assert.Empty(world.Agent.Model.Calls);
    }

    [Fact]
    public async Task vibectls_default_model_is_retired_and_its_404_ends_the_session_with_exit_0()
    {
        await using var world = await WithLlmKeyAsync(new FastForwardTime());

        var outcome = await RunAsync(world, OneIteration);

        const string NotFound = "LLM Execution Error for model anthropic/claude-3-7-sonnet-latest: Error code: 404 - {'type': 'error', 'error': {'type': 'not_found_error', 'message': 'model: claude-3-7-sonnet-latest'}}";
        Assert.Equal((0, "🔄 Consulting claude-3.7-sonnet for a plan...\n"), (outcome.ExitCode!.Value, outcome.Stdout));
        Assert.Equal($"[WARNING] Ignoring memory update error: {NotFound}", outcome.StderrLines[3]);
        Assert.Equal([$"Error: Error executing vibe request: {NotFound}", $"Error: Error in vibe command: {NotFound}"], outcome.StderrLines.Skip(4));
        Assert.Equal([("plan", "claude-3-7-sonnet-latest"), ("memory-update", "claude-3-7-sonnet-latest")], world.Agent.Services.Requests.Select(r => (r.Kind, r.Model)));
    }

    [Fact]
    public async Task A_command_that_needs_confirmation_ends_the_session_with_stdin_off_and_waits_for_the_answer_with_stdin_open()
    {
        var model = new ScriptedModel { Planner = _ => ModelAnswer.Plan(PlannerAction.Command(["delete", "pod", "kafkademo-broker-0", "-n", "kafka", "--force"], "Force it.")) };
        await using var world = await WithLlmKeyAsync(new FastForwardTime(), model);
        await ConfigureLikeTheOverseerAsync(world);

        var off = await RunAsync(world, OneIteration);
        var open = await RunAsync(world, ["timeout", "5", .. OneIteration], stdin: "", closeStdin: false);
        var no = await RunAsync(world, OneIteration, stdin: "n\n");

        const string Prompt = "kubectl delete pod kafkademo-broker-0 -n kafka --force\n[Y]es, [N]o, yes [A]nd, no [B]ut, or [M]emory? (y / n / a / b / m)\n> ";
        Assert.Equal((0, $"{Consulting}\n{Prompt}"), (off.ExitCode!.Value, off.Stdout));
        Assert.Equal(["Note: Starting vibectl auto session", "Note: AI Explanation: Force it.", "Error: Error in vibe command: Unexpected error in handle_vibe_request: "], off.StderrLines);
        Assert.Equal((124, $"{Consulting}\n{Prompt}"), (open.ExitCode!.Value, open.Stdout));
        Assert.Equal((0, $"{Consulting}\n{Prompt}"), (no.ExitCode!.Value, no.Stdout));
        Assert.Equal(["Note: Starting vibectl auto session", "Note: AI Explanation: Force it.", "Warning: Command cancelled", "Note: Waiting 5 seconds before next iteration...", "Note: Completed 1 iterations as requested"],
            no.StderrLines);
        Assert.DoesNotContain(world.Api.Requests, r => r.Method == "DELETE");
    }

    [Fact]
    public async Task A_kubectl_error_from_the_server_gets_recovery_suggestions_and_the_session_goes_on()
    {
        RequiredTools.Kubectl();
        var plans = 0;
        var model = new ScriptedModel
        {
            Planner = _ => ++plans == 1
                ? ModelAnswer.Plan(PlannerAction.Command(["get", "kafka", "nosuch", "-n", "kafka"]))
                : ModelAnswer.Plan(PlannerAction.Done("Nothing else.")),
        };
        await using var world = await WithLlmKeyAsync(new FastForwardTime(), model);
        await ConfigureLikeTheOverseerAsync(world);

        var outcome = await RunAsync(world, "env", "COLUMNS=10000", "vibectl", "auto", "--limit", "2");

        const string Failed = "Command failed with exit code 1: Error from server (NotFound): kafkas.kafka.strimzi.io \"nosuch\" not found";
        const string Suggestion = $"The command failed ({Failed}). Check the resource's name and the agent's permissions.";
        var rule = new string('─', 87);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
        [
            Consulting,
            "🔄 Running: kubectl get kafka nosuch -n kafka",
            "🔄 kubectl get",
            $"╭{rule} ✨ Vibe {rule}─╮",
            $"│ {Suggestion} │",
            $"╰{new string('─', Suggestion.Length + 2)}╯",
            Consulting,
        ], outcome.StdoutLines);
        Assert.Equal(
        [
            "Note: Starting vibectl auto session",
            $"Error: {Failed}",
            "Note: Recovery suggestions:",
            $"Note: {Suggestion}",
            "Note: Continuing to next step...",
            "Note: Waiting 5 seconds before next iteration...",
            "Note: Auto session exited by user",
        ], outcome.StderrLines);
        Assert.IsType<RecoveryCall>(world.Agent.Model.Calls.Single(c => c is RecoveryCall));
    }

    [GeneratedRegex(@"\d+(\.\d+)?(e-\d+)? ms")]
    private static partial Regex Latencies();

    /// <summary>A fake clock that counts the timers the programs start (each sleep, each timeout), so a test advances it only once a wait has begun.</summary>
    private sealed class CountingTime : TimeProvider
    {
        private readonly FakeTimeProvider fake = new();
        private int timers;

        public int Timers => Volatile.Read(ref timers);

        public void Advance(TimeSpan span) => fake.Advance(span);

        public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

        public override long GetTimestamp() => fake.GetTimestamp();

        public override long TimestampFrequency => fake.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref timers);
            return fake.CreateTimer(callback, state, dueTime, period);
        }
    }
}
