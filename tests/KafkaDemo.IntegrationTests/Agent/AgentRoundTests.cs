extern alias overseer;

using KafkaDemo.TestSupport;
using Microsoft.Extensions.Hosting;
using overseer::KafkaDemo.Overseer.Agent;
using overseer::KafkaDemo.Overseer.Cluster;
using overseer::KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.IntegrationTests.Agent;

/// <summary>
/// The Overseer's agent rounds, through the real KubernetesClient pod exec (WebSocket) against the
/// fake API server, with a scripted vibectl that keeps memory as vibectl does and patches the Kafka
/// resource the way the agent would.
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

        var commands = cluster.Vibectl.Commands.ToList();
        Assert.Contains(commands, c => c.SequenceEqual(["vibectl", "config", "set", "memory.max_chars", "2000"]));
        Assert.Contains(commands, c => c.SequenceEqual(["vibectl", "config", "set", "llm.model", KafkaDemo.Messaging.Agent.AgentDeployment.DefaultModel]));
        Assert.Contains(commands, c => c.SequenceEqual(["vibectl", "instructions", "set", AgentInstructions.Text]));
        Assert.Contains(commands, c => c.SequenceEqual(["timeout", "--kill-after=10", "600", "vibectl", "auto", "--limit", "5"]));
        var round = Assert.Single(activity.Rounds);
        Assert.Equal(0, round.ExitCode);
        Assert.False(round.TimedOut);
        Assert.Equal(AgentState.Idle, activity.State);

        // The memory vibectl had when auto ran is the Overseer's block, within max_chars.
        var told = Assert.Single(cluster.Vibectl.MemoryAtAuto);
        Assert.StartsWith(AgentMemory.Start, told, StringComparison.Ordinal);
        Assert.Contains("SLO: p99 <= 25 ms", told, StringComparison.Ordinal);
        Assert.Contains("Max sustainable rate at SLO: measuring", told, StringComparison.Ordinal);
        Assert.True(told.Length <= 2000);
        Assert.Equal(told, activity.LastMemory.After);

        // Its output reached the page's panel, line by line.
        Assert.Contains(activity.Output, o => o.Round == 1 && o.Line.Text.StartsWith("Running: kubectl patch kafka kafkademo", StringComparison.Ordinal));
        Assert.Contains(activity.Output, o => o.Line.Text == "Auto session completed after 5 iterations");
    }

    [Fact]
    public async Task The_next_round_keeps_the_agents_notes_and_replaces_only_the_block()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var loop = cluster.Get<AgentLoop>();

        await loop.RunRoundAsync("manual", Token);
        await loop.RunRoundAsync("schedule", Token);

        var second = cluster.Vibectl.MemoryAtAuto.Last();
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(second, AgentMemory.Start));
        Assert.Contains("Round 1: set num.io.threads 2→4 because handler idle was low.", second, StringComparison.Ordinal);
        Assert.Equal(2, cluster.Get<AgentActivity>().Rounds.Count);
        // Configured once per pod.
        Assert.Single(cluster.Vibectl.Commands, c => c.SequenceEqual(["vibectl", "config", "set", "memory.max_chars", "2000"]));
    }

    [Fact]
    public async Task Memory_goes_in_as_one_argument_that_no_quoting_can_break_out_of()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var loop = cluster.Get<AgentLoop>();
        await loop.RunRoundAsync("manual", Token);
        const string Hostile = "note: '; rm -rf / ; echo \"$(reboot)\" `id` && exit 1 | tee\nsecond line";
        await cluster.Get<IAgentChannel>().RunAsync(["vibectl", "memory", "set", "--", cluster.Vibectl.Memory + "\n" + Hostile], null, TimeSpan.FromSeconds(30), Token);

        await loop.RunRoundAsync("manual", Token);

        var set = cluster.Vibectl.Commands.Last(c => c is [_, "memory", "set", ..]);
        Assert.Equal(5, set.Count);
        Assert.Equal(cluster.Get<AgentActivity>().LastMemory.After, set[4]);
        Assert.Contains(Hostile, set[4], StringComparison.Ordinal);
        Assert.Contains(Hostile, cluster.Vibectl.MemoryAtAuto.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_agents_change_becomes_a_timeline_event_with_the_diff_and_its_field_manager()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var watcher = cluster.Get<IEnumerable<IHostedService>>().OfType<KafkaResourceWatcher>().Single();
        await watcher.StartAsync(Token);
        var timeline = cluster.Get<RunTimeline>();
        await Eventually.TrueAsync(() => cluster.Get<KafkaClusterState>().BrokerConfig.Count > 0, TimeSpan.FromSeconds(20), "The watch never saw the Kafka resource.");

        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);

        await Eventually.TrueAsync(() => timeline.Snapshot().Events.Any(e => e.Kind == EventKinds.BrokerConfig && e.Message == "num.io.threads 2→4 (kubectl-patch)"),
            TimeSpan.FromSeconds(20), "No timeline event for the agent's change.");
        var change = Assert.Single(cluster.Get<KafkaClusterState>().Changes);
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
        Assert.Equal(AgentState.Failed, cluster.Get<AgentActivity>().State);
        Assert.Contains("timed out", cluster.Get<AgentActivity>().Detail, StringComparison.Ordinal);
        Assert.Equal(1, cluster.Vibectl.MaxConcurrent);
        Assert.Contains(cluster.Get<RunTimeline>().Snapshot().Events, e => e.Kind == EventKinds.Agent && e.Message == "Agent round 1 timed out");
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

    [Theory]
    [InlineData("Error in vibe command: rate limited", "ended with exit code 1")]
    [InlineData(null, "not recognized")]
    public async Task A_failing_round_is_reported_as_failed_with_why(string? failure, string expected)
    {
        await using var cluster = await AgentCluster.StartAsync(settings: failure is null ? "Overseer:Agent:Model=no-such-model" : "Overseer:Agent:Limit=5");
        cluster.Vibectl.Fail = failure;

        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);

        var activity = cluster.Get<AgentActivity>();
        Assert.Equal(AgentState.Failed, activity.State);
        Assert.Contains(expected, activity.Detail, StringComparison.Ordinal);
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

        var kafka = cluster.Api.Get(AgentCluster.Kafkas, "kafka", "kafkademo")!;
        Assert.Equal(8, (int)kafka["spec"]!["kafka"]!["config"]!["num.io.threads"]!);
        Assert.Equal(3, (int)kafka["spec"]!["kafka"]!["config"]!["num.network.threads"]!);
        Assert.Contains(cluster.Api.Requests, r => r.Method == "PATCH" && r.FieldManager == BrokerConfigPresets.FieldManager);
        Assert.Contains(cluster.Get<RunTimeline>().Snapshot().Events, e => e.Message == "Broker config reset to the 'kafka-defaults' preset");
        Assert.NotNull(presets.Problem("no-such-preset"));
    }
}
