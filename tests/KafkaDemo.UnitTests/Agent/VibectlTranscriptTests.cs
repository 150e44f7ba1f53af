extern alias overseer;

using overseer::KafkaDemo.Overseer.Agent;

namespace KafkaDemo.UnitTests.Agent;

/// <summary>
/// Judging a round from what vibectl 0.11.6 prints, with transcripts built from the lines its source
/// prints (/work/notes/vibectl-0.11.6.md §6, §7, §13): vibectl exits 0 on every one of these, so the
/// lines decide. "O:" is stdout, "E:" stderr; the two arrive on separate exec channels.
/// </summary>
public sealed class VibectlTranscriptTests
{
    private const string Model = "claude-sonnet-4.6";

    /// <summary>One iteration that patches the Kafka resource, with the Overseer's settings (show_streaming false, show_kubectl true).</summary>
    private static readonly string[] PatchIteration =
    [
        $"O:🔄 Consulting {Model} for a plan...",
        """O:🔄 Running: kubectl patch kafka kafkademo -n kafka --type merge -p {"spec":{"kafka":{"config":{"num.io.threads":16}}}}""",
        "O:🔄 kubectl patch",
        "O:✨ Vibe",
        "O:Patched **num.io.threads** from 8 to 16 on kafkademo;  brokers will roll. Watch p99 over the next minutes to judge the effect.",
        "O:The request handlers were saturated (idle ratio near 0).",
        "E:Note: Waiting 5 seconds before next iteration...",
    ];

    private static readonly string[] ReadIteration =
    [
        $"O:🔄 Consulting {Model} for a plan...",
        "O:🔄 Running: kubectl get kafka kafkademo -n kafka -o jsonpath={.spec.kafka.config}",
        "O:🔄 kubectl get",
        "O:✨ Vibe",
        "O:num.io.threads is 16; waiting for the Overseer's next measurements.",
        "E:Note: Waiting 5 seconds before next iteration...",
    ];

    private static (VibectlTranscript Transcript, List<(string Line, AgentLineKind Kind)> Kinds) Read(IEnumerable<string> lines)
    {
        var transcript = new VibectlTranscript();
        var kinds = new List<(string, AgentLineKind)>();
        foreach (var line in lines)
        {
            var stream = line[..2] switch
            {
                "O:" => AgentOutputSource.Stdout,
                "E:" => AgentOutputSource.Stderr,
                _ => throw new ArgumentException(line),
            };
            kinds.Add((line[2..], transcript.Add(stream, line[2..])));
        }

        return (transcript, kinds);
    }

    [Fact]
    public void A_full_five_iteration_run_is_ok_and_each_line_has_its_kind()
    {
        string[] lines =
        [
            "E:Note: Starting vibectl auto session",
            .. PatchIteration,
            .. ReadIteration, .. ReadIteration, .. ReadIteration, .. ReadIteration,
            "E:[WARNING] Memory update LLM call returned empty.",
            "E:Note: Completed 5 iterations as requested",
        ];

        var (transcript, kinds) = Read(lines);

        Assert.Equal(AgentRoundOutcome.Ok, transcript.Judge(0, timedOut: false, 600));
        Assert.Equal(5, transcript.CompletedIterations);
        Assert.Null(transcript.FirstError);
        Assert.Equal(
            [AgentLineKind.Note, AgentLineKind.Planning, AgentLineKind.KubectlCommand, AgentLineKind.CommandDone, AgentLineKind.Summary, AgentLineKind.Summary, AgentLineKind.Summary, AgentLineKind.Note],
            kinds.Take(8).Select(k => k.Kind));
        Assert.Equal(AgentLineKind.Warning, kinds[^2].Kind);
        Assert.Equal(5, kinds.Count(k => k.Kind == AgentLineKind.Planning));
        Assert.DoesNotContain(kinds, k => k.Kind is AgentLineKind.Error or AgentLineKind.Other);
    }

    [Fact]
    public void The_missing_key_run_fails_with_the_first_error_line_though_vibectl_exits_0()
    {
        // §6 "Missing API key surfacing": the key only in VIBECTL_ANTHROPIC_API_KEY never reaches llm.
        const string NoKey = "No key found - add one using 'llm keys set anthropic' or set the ANTHROPIC_API_KEY environment variable";
        string[] lines =
        [
            "E:Note: Starting vibectl auto session",
            "O:🔄 Consulting claude-3.7-sonnet for a plan...",
            $"E:[WARNING] LLM call to model 'claude-3-7-sonnet-latest' failed. Attempts (if adaptation stage): 1. Last/Relevant llm_lib_latency: 0.41 ms, Total Duration: 3.12 ms. Error: {NoKey}",
            $"E:[WARNING] LLM call to model 'claude-3-7-sonnet-latest' failed. Attempts (if adaptation stage): 1. Last/Relevant llm_lib_latency: 0.22 ms, Total Duration: 1.80 ms. Error: {NoKey}",
            $"E:[WARNING] Ignoring memory update error: LLM Execution Error for model claude-3-7-sonnet-latest: {NoKey}",
            $"E:Error: Error executing vibe request: LLM Execution Error for model claude-3-7-sonnet-latest: {NoKey}",
            "E:Error: Missing API key. Please set OPENAI_API_KEY environment variable.",
        ];

        var (transcript, kinds) = Read(lines);

        var outcome = transcript.Judge(0, timedOut: false, 600);
        Assert.Equal(AgentRoundResult.Failed, outcome.Result);
        Assert.Equal($"Error: Error executing vibe request: LLM Execution Error for model claude-3-7-sonnet-latest: {NoKey}", outcome.Reason);
        Assert.Equal(2, kinds.Count(k => k.Kind == AgentLineKind.Error));
        Assert.Equal(3, kinds.Count(k => k.Kind == AgentLineKind.Warning));
        Assert.False(transcript.Finished);
    }

    [Fact]
    public void A_forbidden_kubectl_error_fails_the_round_though_the_loop_continues_and_completes()
    {
        // §13: a non-halting kubectl error; the recovery suggestion is always a panel (console.py print_vibe).
        const string Forbidden = "Error: Command failed with exit code 1: Error from server (Forbidden): pods is forbidden: "
            + "User \"system:serviceaccount:kafkademo-agent:vibectl\" cannot list resource \"pods\" in API group \"\" in the namespace \"kube-system\"";
        string[] lines =
        [
            "E:Note: Starting vibectl auto session",
            $"O:🔄 Consulting {Model} for a plan...",
            "O:🔄 Running: kubectl get pods -n kube-system",
            $"E:{Forbidden}",
            "O:╭──────────────────────────────── ✨ Vibe ────────────────────────────────╮",
            "O:│ The service account may not list pods in kube-system. Stay in the      │",
            "O:│ kafka namespace: kubectl get pods -n kafka.                            │",
            "O:╰────────────────────────────────────────────────────────────────────────╯",
            "E:Note: Recovery suggestions:",
            "E:Note: The service account may not list pods in kube-system. Stay in the kafka namespace: kubectl get pods -n kafka.",
            "E:Note: Continuing to next step...",
            "E:Note: Waiting 5 seconds before next iteration...",
            .. PatchIteration, .. ReadIteration, .. ReadIteration, .. ReadIteration,
            "E:Note: Completed 5 iterations as requested",
        ];

        var (transcript, kinds) = Read(lines);

        var outcome = transcript.Judge(0, timedOut: false, 600);
        Assert.Equal(AgentRoundOutcome.Failed(Forbidden), outcome);
        Assert.True(transcript.Finished);
        Assert.Equal(Enumerable.Repeat(AgentLineKind.Summary, 4), kinds.Skip(4).Take(4).Select(k => k.Kind));
        Assert.Equal(AgentLineKind.Planning, kinds[12].Kind); // the panel ended: the next plan is not part of it
    }

    [Fact]
    public void The_planners_done_ends_the_run_early_and_it_is_ok()
    {
        string[] lines =
        [
            "E:Note: Starting vibectl auto session",
            .. PatchIteration,
            $"O:🔄 Consulting {Model} for a plan...",
            "E:Note: Auto session exited by user",
        ];

        var (transcript, _) = Read(lines);

        Assert.Equal(AgentRoundOutcome.Ok, transcript.Judge(0, timedOut: false, 600));
        Assert.True(transcript.Finished);
        Assert.Null(transcript.CompletedIterations);
    }

    [Fact]
    public void End_of_file_at_a_confirmation_prompt_fails_the_round_with_vibectls_error()
    {
        // §7: with stdin closed, click.prompt raises Abort; vibectl prints this error and exits 0.
        string[] lines =
        [
            "E:Note: Starting vibectl auto session",
            $"O:🔄 Consulting {Model} for a plan...",
            "E:Note: AI Explanation: Label the broker pod so the rollout can be tracked.",
            "O:kubectl label pod kafkademo-dual-0 -n kafka rollout=tracked --overwrite",
            "O:[Y]es, [N]o, yes [A]nd, no [B]ut, or [M]emory? (y / n / a / b / m)",
            "O:>  ",
            "E:Error: Error in vibe command: Unexpected error in handle_vibe_request: ",
        ];

        var (transcript, kinds) = Read(lines);

        var outcome = transcript.Judge(0, timedOut: false, 600);
        Assert.Equal(AgentRoundResult.Failed, outcome.Result);
        Assert.Equal("Error: Error in vibe command: Unexpected error in handle_vibe_request:", outcome.Reason);
        Assert.Equal([AgentLineKind.Other, AgentLineKind.Other, AgentLineKind.Other], kinds.Skip(3).Take(3).Select(k => k.Kind));
    }

    [Fact]
    public void Without_an_end_line_or_an_error_the_round_failed_and_the_exit_code_is_quoted()
    {
        var (transcript, _) = Read(["E:Note: Starting vibectl auto session", .. PatchIteration]);

        var outcome = transcript.Judge(137, timedOut: false, 600);

        Assert.Equal(AgentRoundResult.Failed, outcome.Result);
        Assert.StartsWith("vibectl ended without finishing (exit code 137)", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_round_stopped_by_its_timeout_timed_out_and_says_what_it_printed_before()
    {
        var (transcript, _) = Read([$"O:🔄 Consulting {Model} for a plan...", "E:Error: API Error: Recoverable API Error during LLM call to claude-sonnet-4-6: overloaded"]);

        var outcome = transcript.Judge(124, timedOut: true, 600);

        Assert.Equal(AgentRoundResult.TimedOut, outcome.Result);
        Assert.Equal("vibectl did not finish within 600 s and was stopped; before that it printed: Error: API Error: Recoverable API Error during LLM call to claude-sonnet-4-6: overloaded", outcome.Reason);
    }

    [Fact]
    public void Continuation_lines_of_a_message_keep_its_kind_and_never_start_an_error()
    {
        // §8: the doubled warning spreads over several lines, each printed on stderr.
        var (transcript, kinds) = Read(
        [
            "E:Warning: Warning: No API key found for anthropic models like 'claude-sonnet-4.6'. Set a key using one of these methods:",
            "E:- Environment variable: export VIBECTL_ANTHROPIC_API_KEY=your-api-key",
            "E:- Direct config: vibectl config set providers.anthropic.key your-api-key",
            "E:Note: Completed 1 iterations as requested",
        ]);

        Assert.Equal([AgentLineKind.Warning, AgentLineKind.Warning, AgentLineKind.Warning, AgentLineKind.Note], kinds.Select(k => k.Kind));
        Assert.Equal(AgentRoundOutcome.Ok, transcript.Judge(0, false, 600));
    }
}
