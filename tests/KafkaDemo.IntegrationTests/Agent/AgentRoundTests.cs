extern alias overseer;

using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.TestSupport;
using Microsoft.Extensions.Hosting;
using overseer::KafkaDemo.Overseer.Agent;
using overseer::KafkaDemo.Overseer.BrokerPresets;
using overseer::KafkaDemo.Overseer.StrimziWatch;
using overseer::KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.IntegrationTests.Agent;

/// <summary>
/// The Overseer's agent rounds, through the real KubernetesClient pod exec (WebSocket) against the
/// fake API server, in the agent's pod as the repository's k3d/agent Deployment makes it, with the
/// container's programs emulated from upstream source (vibectl 0.11.6, llm 0.26, the real kubectl as
/// the pod's service account; only the model's answers are scripted, by TestSupport's DemoAgent:
/// read the Kafka resource, double num.io.threads, say DONE, and add a note per memory rewrite).
/// </summary>
public sealed class AgentRoundTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_round_sets_vibectl_up_writes_the_feedback_into_memory_and_runs_auto_with_a_limit()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var loop = cluster.Get<AgentLoop>();
        var activity = cluster.Get<AgentActivity>();

        await loop.RunRoundAsync("manual", Token);

        var commands = cluster.Vibectl.Commands.Select(AgentCluster.Inner).ToList();
        Assert.Contains(commands, c => c.SequenceEqual(["llm", "models", "list"]));
        Assert.Contains(commands, c => c.SequenceEqual(["vibectl", "config", "set", "memory.max_chars", "2000"]));
        Assert.Contains(commands, c => c.SequenceEqual(["vibectl", "config", "set", "llm.model", KafkaDemo.DeploymentContract.Agent.AgentDeployment.DefaultModel]));
        Assert.Contains(commands, c => c.SequenceEqual(["vibectl", "instructions", "set", "--", AgentInstructions.Text]));
        Assert.Contains(cluster.Vibectl.Commands, c => c.SequenceEqual(
            ["flock", "-n", "-E", "75", "/tmp/kafkademo-agent-round.lock", "timeout", "--kill-after=10", "600", "env", "COLUMNS=10000", "vibectl", "auto", "--limit", "5"]));
        Assert.Equal(AgentInstructions.Text, cluster.Vibectl.Instructions);
        var round = Assert.Single(activity.Rounds);
        Assert.Equal(AgentRoundResult.Ok, round.Result);
        Assert.Null(round.Reason);
        Assert.Equal(0, round.ExitCode);
        Assert.Equal(cluster.Vibectl.Pod, round.Pod);
        Assert.Matches("^vibectl-[0-9a-f]+-[a-z0-9]{5}$", round.Pod); // the Deployment's pod, as its controller names it
        Assert.Equal(AgentState.Idle, activity.State);

        // The memory vibectl had when auto ran is the Overseer's block, within max_chars.
        var told = Assert.Single(cluster.Vibectl.MemoryAtAuto);
        Assert.StartsWith(AgentMemory.Start, told, StringComparison.Ordinal);
        Assert.Contains("SLO: p99 <= 25 ms", told, StringComparison.Ordinal);
        Assert.Contains("Max sustainable rate at SLO: measuring", told, StringComparison.Ordinal);
        Assert.True(told.Length <= 2000);
        Assert.Equal(told, activity.LastMemory.After);

        // Its output reached the page's panel, line by line, each with its kind; one line each, not wrapped at 80.
        var command = Assert.Single(round.Output, l => l.Kind == AgentLineKind.KubectlCommand && l.Text.Contains("patch", StringComparison.Ordinal));
        Assert.Equal("""🔄 Running: kubectl patch kafka kafkademo -n kafka --type merge -p {"spec":{"kafka":{"config":{"num.io.threads":4}}}}""", command.Text);
        Assert.Contains(round.Output, l => l.Kind == AgentLineKind.Planning && l.Text == $"🔄 Consulting {KafkaDemo.DeploymentContract.Agent.AgentDeployment.DefaultModel} for a plan...");
        // The summary: kubectl's own output, summed up by the (scripted) model after "✨ Vibe".
        Assert.Contains(round.Output, l => l.Kind == AgentLineKind.Summary && l.Text == "kafka.kafka.strimzi.io/kafkademo patched The brokers apply the new thread pool size without a restart.");
        // The demo agent says DONE after its one change: vibectl ends the session early (auto_cmd.py 164-167).
        Assert.Contains(round.Output, l => l.Kind == AgentLineKind.Note && l.Stream == AgentOutputSource.Stderr && l.Text == "Note: Auto session exited by user");
        Assert.Contains(round.Output, l => l.Stream == AgentOutputSource.Overseer && l.Text.StartsWith("[overseer] memory written and read back", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_round_runs_wholly_in_the_pod_it_looked_up_once()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var lookups = PodLookups(cluster);
        var execs = cluster.Api.Execs.Count;
        var pod = cluster.Vibectl.Pod;

        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);

        Assert.Equal(lookups + 1, PodLookups(cluster));
        Assert.All(cluster.Api.Execs.Skip(execs), e => Assert.Equal(pod, e.Pod));
        Assert.True(cluster.Api.Execs.Count - execs >= 9, "The round ran its set-up, memory and auto in the pod.");
    }

    /// <summary>
    /// The note DemoAgent's memory rewrite adds after the patch: "Ran" and the kubectl command vibectl
    /// gave it as the interaction's action (memory.py update_memory's prompt).
    /// </summary>
    private const string PatchNote = """Ran kubectl patch kafka kafkademo -n kafka --type merge -p {"spec":{"kafka":{"config":{"num.io.threads":4}}}}""";

    private static int PodLookups(AgentCluster cluster) =>
        cluster.Api.Requests.Count(r => r.Method == "GET" && r.Path == "/api/v1/namespaces/kafkademo-agent/pods");

    [Fact]
    public async Task The_next_round_keeps_the_agents_notes_and_replaces_only_the_block()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var loop = cluster.Get<AgentLoop>();

        await loop.RunRoundAsync("manual", Token);
        var afterFirst = cluster.Vibectl.Memory; // rewritten by the model after each of the round's commands
        await loop.RunRoundAsync("schedule", Token);

        var second = cluster.Vibectl.MemoryAtAuto.Last();
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(second, AgentMemory.Start));
        Assert.Contains(PatchNote, afterFirst, StringComparison.Ordinal);
        Assert.Contains(PatchNote, second, StringComparison.Ordinal);
        Assert.EndsWith(afterFirst[(afterFirst.IndexOf(AgentMemory.End, StringComparison.Ordinal) + AgentMemory.End.Length)..].Trim(), second, StringComparison.Ordinal);
        Assert.Equal(2, cluster.Get<AgentActivity>().Rounds.Count);
        // Configured once per pod.
        Assert.Single(cluster.Vibectl.Commands.Select(AgentCluster.Inner), c => c.SequenceEqual(["vibectl", "config", "set", "memory.max_chars", "2000"]));
    }

    [Fact]
    public async Task Memory_is_read_exactly_as_stored_with_what_richs_rendering_would_change()
    {
        await using var cluster = await AgentCluster.StartAsync();
        const string Notes = "Tried [bold]num.io.threads[/bold] 2→4: p99 better :rocket:\tnext [consumer-group cg-1] — é 🚀";
        cluster.Vibectl.Memory = Notes;

        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);

        var activity = cluster.Get<AgentActivity>();
        Assert.Equal(Notes, activity.LastMemory.Before);
        Assert.EndsWith("\n" + Notes, activity.LastMemory.After, StringComparison.Ordinal);
        Assert.Equal(activity.LastMemory.After, cluster.Vibectl.MemoryAtAuto.Single());
    }

    [Fact]
    public async Task A_block_vibectls_memory_update_left_unclosed_gives_way_and_the_agents_notes_are_kept()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var loop = cluster.Get<AgentLoop>();
        await loop.RunRoundAsync("manual", Token);

        // The LLM rewrote the memory: the closing marker is gone, the agent's plan follows the figures.
        var rewritten = cluster.Vibectl.Memory.Replace(AgentMemory.End, "", StringComparison.Ordinal) + "\nPlan: try num.network.threads 4 next.";
        cluster.Vibectl.Memory = rewritten;
        await loop.RunRoundAsync("schedule", Token);

        var told = cluster.Vibectl.MemoryAtAuto.Last();
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(told, AgentMemory.Start));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(told, AgentMemory.End));
        Assert.Contains("Plan: try num.network.threads 4 next.", told, StringComparison.Ordinal);
        Assert.Contains(PatchNote, told, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(told, "SLO: p99 <="));
    }

    [Fact]
    public async Task Memory_goes_in_as_one_argument_that_no_quoting_can_break_out_of()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var loop = cluster.Get<AgentLoop>();
        await loop.RunRoundAsync("manual", Token);
        const string Hostile = "note: '; rm -rf / ; echo \"$(reboot)\" `id` && exit 1 | tee\nsecond line -- --limit";
        var channel = cluster.Get<IAgentChannel>();
        await channel.RunAsync(await channel.FindPodAsync(Token), ["vibectl", "memory", "set", "--", cluster.Vibectl.Memory + "\n" + Hostile], null, TimeSpan.FromSeconds(30), Token);

        await loop.RunRoundAsync("manual", Token);

        var set = cluster.Vibectl.Commands.Last(c => AgentCluster.Inner(c) is [_, "memory", "set", ..]);
        Assert.Equal(["vibectl", "memory", "set", "--", cluster.Get<AgentActivity>().LastMemory.After], AgentCluster.Inner(set));
        Assert.Contains(Hostile, set[^1], StringComparison.Ordinal);
        Assert.Contains(Hostile, cluster.Vibectl.MemoryAtAuto.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_agents_change_becomes_a_timeline_event_with_the_diff_and_its_field_manager()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var watcher = cluster.Get<IEnumerable<IHostedService>>().OfType<KafkaResourceWatcher>().Single();
        await watcher.StartAsync(Token);
        var timeline = cluster.Get<RunTimeline>();
        await Eventually.TrueAsync(() => cluster.Get<KafkaResourceState>().BrokerConfig.Count > 0, TimeSpan.FromSeconds(20), "The watch never saw the Kafka resource.");

        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);

        await Eventually.TrueAsync(() => timeline.Snapshot().Events.Any(e => e.Kind == EventKinds.BrokerConfig && e.Message == "num.io.threads 2→4 (kubectl-patch)"),
            TimeSpan.FromSeconds(20), "No timeline event for the agent's change.");
        var change = Assert.Single(cluster.Get<KafkaResourceState>().Changes);
        Assert.Equal("Kafka kafkademo", change.Resource);
        Assert.Equal(["num.io.threads 2→4"], change.Changes.Select(c => c.ToString()));
        Assert.Equal("kubectl-patch", change.FieldManager);
        var round = Assert.Single(cluster.Get<AgentActivity>().Rounds);
        Assert.Equal(change, Assert.Single(round.Changes));
        Assert.Equal("num.io.threads 2→4 (kubectl-patch)", cluster.Get<overseer::KafkaDemo.Overseer.Control.SustainableRateRecord>().Current.Configuration);
        await watcher.StopAsync(Token);
    }

    [Fact]
    public async Task A_hung_round_is_ended_by_the_timeout_and_recorded_and_rounds_never_overlap()
    {
        await using var cluster = await AgentCluster.StartAsync(settings: "Overseer:Agent:RoundTimeoutSeconds=5");
        cluster.Vibectl.Hang = true;
        var loop = cluster.Get<AgentLoop>();

        var first = loop.RunRoundAsync("schedule", Token);
        await Eventually.TrueAsync(() => cluster.Get<AgentActivity>().State == AgentState.Running, TimeSpan.FromSeconds(20));
        Assert.False(loop.RunNow());
        await loop.RunRoundAsync("manual", Token); // returns at once: one is running
        await first;

        var round = Assert.Single(cluster.Get<AgentActivity>().Rounds);
        Assert.True(round.TimedOut);
        Assert.Equal(124, round.ExitCode);
        Assert.Equal("vibectl did not finish within 5 s and was stopped.", round.Reason);
        Assert.Equal(AgentState.Failed, cluster.Get<AgentActivity>().State);
        Assert.Contains("timed out", cluster.Get<AgentActivity>().Detail, StringComparison.Ordinal);
        Assert.Equal(1, cluster.Vibectl.MaxConcurrent);
        Assert.Contains(cluster.Get<RunTimeline>().Snapshot().Events, e => e.Kind == EventKinds.Agent && e.Message == "Agent round 1 timed out");
    }

    [Fact]
    public async Task A_round_while_another_still_runs_in_the_pod_fails_on_the_pods_lock_and_runs_nothing()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var loop = cluster.Get<AgentLoop>();
        await loop.RunRoundAsync("manual", Token);
        var memory = cluster.Vibectl.Memory;

        // A vibectl the Overseer lost its connection to (or a second Overseer's) still holds the lock.
        using (cluster.Vibectl.HoldLock(AgentCommands.LockFile))
        {
            await loop.RunRoundAsync("schedule", Token);
        }

        var round = cluster.Get<AgentActivity>().Rounds[^1];
        Assert.Equal(AgentRoundResult.Failed, round.Result);
        Assert.Equal($"Another agent round still runs in pod {cluster.Vibectl.Pod} (it holds /tmp/kafkademo-agent-round.lock); two rounds never run at once.", round.Reason);
        Assert.Equal(1, cluster.Vibectl.AutoRuns);
        Assert.Equal(memory, cluster.Vibectl.Memory);

        await loop.RunRoundAsync("schedule", Token);
        Assert.Equal(AgentRoundResult.Ok, cluster.Get<AgentActivity>().Rounds[^1].Result);
    }

    [Fact]
    public async Task Without_an_LLM_key_the_agent_is_not_configured_and_says_how_to_set_it()
    {
        await using var cluster = await AgentCluster.StartAsync(keySet: false);

        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);

        var activity = cluster.Get<AgentActivity>();
        Assert.Equal(AgentState.NotConfigured, activity.State);
        Assert.Contains("llm-api-key", activity.Detail, StringComparison.Ordinal);
        Assert.Contains("dotnet user-secrets set Parameters:llm-api-key", activity.Detail, StringComparison.Ordinal);
        Assert.Empty(activity.Rounds);
        Assert.Empty(cluster.Vibectl.Commands);
    }

    [Fact]
    public async Task A_round_whose_vibectl_prints_an_error_failed_with_that_line_though_vibectl_exited_0()
    {
        await using var cluster = await AgentCluster.StartAsync();
        const string Message = "The Kafka resource kafkademo has no broker config to tune.";
        cluster.Vibectl.PlannerError = Message;

        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);

        // vibectl 0.11.6 execution/vibe.py handle_vibe_request prints the planner's ERROR as
        // "LLM Planning Error: ..."; auto_cmd.py halts with "Error in vibe command: LLM planning error: ...",
        // which cli.py auto hands to handle_exception: printed, and exit 0.
        const string Reason = $"Error: LLM Planning Error: {Message}";
        var activity = cluster.Get<AgentActivity>();
        var round = Assert.Single(activity.Rounds);
        Assert.Equal(AgentRoundResult.Failed, round.Result);
        Assert.Equal(0, round.ExitCode);
        Assert.Equal(Reason, round.Reason);
        Assert.Equal(AgentState.Failed, activity.State);
        Assert.Equal($"Round 1 failed: {Reason}", activity.Detail);
        Assert.Equal([Reason, $"Error: Error in vibe command: LLM planning error: {Message}"],
            round.Output.Where(l => l.Kind == AgentLineKind.Error).Select(l => l.Text));
        Assert.DoesNotContain(round.Output, l => l.Text.StartsWith("Note: Completed", StringComparison.Ordinal) || l.Text == "Note: Auto session exited by user");
        var ended = cluster.Get<RunTimeline>().Snapshot().Events.Last(e => e.Kind == EventKinds.Agent);
        Assert.Equal($"Agent round 1 failed: {Reason}", ended.Message);
        Assert.Equal("failed", ended.Details!["result"]);
    }

    [Fact]
    public async Task A_model_llm_does_not_know_fails_the_round_before_vibectl_is_told_anything()
    {
        await using var cluster = await AgentCluster.StartAsync(settings: "Overseer:Agent:Model=claude-sonnet-4");

        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);

        var round = Assert.Single(cluster.Get<AgentActivity>().Rounds);
        Assert.Equal(AgentRoundResult.Failed, round.Result);
        Assert.StartsWith($"The model 'claude-sonnet-4' is not one llm knows in pod {cluster.Vibectl.Pod}", round.Reason, StringComparison.Ordinal);
        Assert.Contains("claude-sonnet-4.6", round.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Vibectl.Commands.Select(AgentCluster.Inner), c => c is ["vibectl", ..]);
    }

    [Fact]
    public async Task An_openai_compatible_model_from_extra_openai_models_yaml_is_one_llm_knows()
    {
        await using var cluster = await AgentCluster.StartAsync(settings: "Overseer:Agent:Model=local-model");
        cluster.Vibectl.ExtraModels = [("local-model", ["local"])];

        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);

        var round = Assert.Single(cluster.Get<AgentActivity>().Rounds);
        Assert.True(round.Result == AgentRoundResult.Ok, round.Reason);
        Assert.Equal("local-model", cluster.Vibectl.Config["llm.model"]);
        Assert.Contains(round.Output, l => l.Text == "🔄 Consulting local-model for a plan...");
    }

    [Fact]
    public async Task Pausing_is_reported_and_recorded()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var loop = cluster.Get<AgentLoop>();
        var activity = cluster.Get<AgentActivity>();
        activity.SetState(AgentState.Idle, "");

        loop.SetPaused(true);
        Assert.Equal(AgentState.Paused, activity.State);
        loop.SetPaused(false);

        Assert.Equal(AgentState.Idle, activity.State);
        Assert.Equal(["Agent paused", "Agent resumed"], cluster.Get<RunTimeline>().Snapshot().Events.Where(e => e.Kind == EventKinds.Agent).Select(e => e.Message));
    }

    [Fact]
    public async Task A_preset_resets_the_broker_config_through_the_Kafka_resource()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var presets = cluster.Get<BrokerConfigPresets>();

        await presets.ApplyAsync("kafka-defaults", Token);

        var kafka = cluster.Api.Get(AgentCluster.Kafkas, StrimziNames.Namespace, StrimziNames.KafkaName)!;
        Assert.Equal(8, (int)kafka["spec"]!["kafka"]!["config"]!["num.io.threads"]!);
        Assert.Equal(3, (int)kafka["spec"]!["kafka"]!["config"]!["num.network.threads"]!);
        Assert.Contains(cluster.Api.Requests, r => r.Method == "PATCH" && r.FieldManager == BrokerConfigPresets.FieldManager);
        Assert.Contains(cluster.Get<RunTimeline>().Snapshot().Events,
            e => e.Message == "Broker config reset to the 'kafka-defaults' preset: set num.io.threads 2→8, num.network.threads 2→3; removed no key");
        Assert.NotNull(presets.Problem("no-such-preset"));
    }
}
