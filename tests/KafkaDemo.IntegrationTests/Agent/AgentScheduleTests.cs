extern alias overseer;

using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.Extensions.Time.Testing;
using overseer::KafkaDemo.Overseer.Agent;
using overseer::KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.IntegrationTests.Agent;

/// <summary>
/// The agent loop's schedule on a fake clock, against the fake cluster: what it says before the first
/// round, when it sets vibectl up, and what a pause does to a round that falls due.
/// </summary>
public sealed class AgentScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Before_the_first_round_a_missing_key_is_reported_and_once_it_is_set_vibectl_is_set_up()
    {
        var clock = new FakeTimeProvider(Start);
        await using var cluster = await AgentCluster.StartAsync(keySet: false, clock); // first round a day away
        var loop = cluster.Get<AgentLoop>();
        var activity = cluster.Get<AgentActivity>();
        await loop.StartAsync(Token);
        try
        {
            await Eventually.TrueAsync(() => activity.State == AgentState.NotConfigured, Deadline, "The missing key was not reported before the first round.");
            Assert.Contains("dotnet user-secrets set Parameters:llm-api-key", activity.Detail, StringComparison.Ordinal);
            Assert.Empty(cluster.Vibectl.Commands);

            // The AppHost puts the key into the Secret and marks the pod template, as it does when the
            // key is given in the dashboard after start: the Deployment controller replaces the pod.
            var keyless = cluster.Vibectl.Pod;
            cluster.World.SetLlmKey("sk-ant-kafkademo-test-key", Start.AddSeconds(5));

            await Eventually.TrueAsync(() =>
            {
                clock.Advance(TimeSpan.FromSeconds(5));
                return Task.FromResult(activity.State == AgentState.Idle && cluster.Vibectl.Instructions is not null);
            }, Deadline, () => $"vibectl was not set up once the key was there: {activity.State}, {activity.Detail}");
            Assert.Equal("2000", cluster.Vibectl.Config["memory.max_chars"]);
            Assert.Equal(2000, cluster.Vibectl.MaxChars);
            Assert.Equal(AgentInstructions.Text, cluster.Vibectl.Instructions);
            Assert.Empty(activity.Rounds);
            Assert.Equal(0, cluster.Vibectl.AutoRuns);

            Assert.NotEqual(keyless, cluster.Vibectl.Pod);
            Assert.DoesNotContain(cluster.Api.Execs, e => e.Pod == keyless);

            // The pod is replaced (restarted to read a new key, or lost with its node): the
            // Deployment's controller makes a new one, whose vibectl starts with default settings
            // and is set up again without waiting for a round.
            Assert.Equal(1, MemoryBoundsSet(cluster));
            var lost = cluster.Vibectl.Pod;
            Assert.True(cluster.Api.Delete(ResourceType.Pods, "kafkademo-agent", lost));
            await Eventually.TrueAsync(() =>
            {
                clock.Advance(TimeSpan.FromSeconds(5));
                return MemoryBoundsSet(cluster) == 2 && cluster.Vibectl.Pod != lost && cluster.Vibectl.Instructions is not null;
            }, Deadline, "The replacement pod's vibectl was not set up.");
            var replacement = cluster.Vibectl.Pod;
            Assert.NotEqual(lost, replacement);
            Assert.Contains(cluster.Api.Execs, e => e.Pod == replacement && AgentCluster.Inner(e.Command).SequenceEqual(["vibectl", "config", "set", "memory.max_chars", "2000"]));
            Assert.Equal(AgentInstructions.Text, cluster.Vibectl.Instructions);
            Assert.Empty(activity.Rounds);
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }
    }

    private static int DeploymentReads(AgentCluster cluster) =>
        cluster.Api.Requests.Count(r => r.Method == "GET" && r.Path == "/apis/apps/v1/namespaces/kafkademo-agent/deployments/vibectl");

    private static int MemoryBoundsSet(AgentCluster cluster) =>
        cluster.Vibectl.Commands.Count(c => AgentCluster.Inner(c).SequenceEqual(["vibectl", "config", "set", "memory.max_chars", "2000"]));

    [Fact]
    public async Task A_model_llm_does_not_know_in_a_new_pod_is_reported_as_failed_with_the_valid_names_before_any_round()
    {
        var clock = new FakeTimeProvider(Start);
        await using var cluster = await AgentCluster.StartAsync(true, clock, "Overseer:Agent:Model=claude-3-7-sonnet-latest");
        var loop = cluster.Get<AgentLoop>();
        var activity = cluster.Get<AgentActivity>();
        await loop.StartAsync(Token);
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(activity.State == AgentState.Failed), Deadline, () => $"The unknown model was not reported: {activity.State}, {activity.Detail}");

            Assert.StartsWith($"vibectl could not be set up in pod {cluster.Vibectl.Pod}: The model 'claude-3-7-sonnet-latest' is not one llm knows", activity.Detail, StringComparison.Ordinal);
            Assert.Contains("anthropic/claude-3-7-sonnet-latest", activity.Detail, StringComparison.Ordinal);
            Assert.Contains("claude-3.7-sonnet", activity.Detail, StringComparison.Ordinal);
            Assert.Empty(activity.Rounds);
            Assert.DoesNotContain(cluster.Vibectl.Commands.Select(AgentCluster.Inner), c => c is ["vibectl", ..]);

            // Not retried every readiness check for the same pod: vibectl would refuse the same way.
            var asked = cluster.Vibectl.Commands.Count;
            var checks = DeploymentReads(cluster);
            await Eventually.TrueAsync(() =>
            {
                clock.Advance(TimeSpan.FromSeconds(5));
                return DeploymentReads(cluster) >= checks + 2;
            }, Deadline, "The loop did not check readiness again.");
            Assert.Equal(asked, cluster.Vibectl.Commands.Count);
            Assert.Equal(AgentState.Failed, activity.State);
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_round_that_falls_due_while_paused_is_skipped_and_the_next_comes_an_interval_later()
    {
        var clock = new FakeTimeProvider(Start);
        await using var cluster = await AgentCluster.StartAsync(true, clock, "Overseer:Agent:FirstRoundAfterSeconds=30", "Overseer:Agent:IntervalSeconds=60");
        var loop = cluster.Get<AgentLoop>();
        var activity = cluster.Get<AgentActivity>();
        loop.SetPaused(true);
        await loop.StartAsync(Token);
        try
        {
            await Eventually.TrueAsync(() => cluster.Vibectl.Instructions is not null, Deadline, "vibectl was not set up at start.");

            // The first round falls due (30 s) while paused.
            await Eventually.TrueAsync(() =>
            {
                if (clock.GetUtcNow() < Start.AddSeconds(45))
                {
                    clock.Advance(TimeSpan.FromSeconds(5));
                }

                return clock.GetUtcNow() >= Start.AddSeconds(45) && activity.NextRunAt is null;
            }, Deadline, "The clock did not pass the first round's time.");

            // With the clock standing still, the loop waits: it does not spin on the skipped round.
            var changes = 0;
            activity.Changed += () => Interlocked.Increment(ref changes);
            await Task.Delay(TimeSpan.FromMilliseconds(500), Token);
            Assert.True(Volatile.Read(ref changes) < 5, $"While paused the loop changed the agent's state {changes} times in 0.5 s with the clock standing still.");
            Assert.Empty(activity.Rounds);
            Assert.Equal(0, cluster.Vibectl.AutoRuns);

            // Resumed, the skipped round does not run late: the next one is an interval after it.
            loop.SetPaused(false);
            await Eventually.TrueAsync(() =>
            {
                clock.Advance(TimeSpan.FromSeconds(5));
                return activity.Rounds.Count > 0 && activity.Rounds[0].EndedAt is not null;
            }, Deadline, "No round ran after resuming.");
            var round = Assert.Single(activity.Rounds);
            Assert.Equal("schedule", round.Trigger);
            Assert.True(round.StartedAt >= Start.AddSeconds(90), $"The round started at {round.StartedAt:T}, before the interval after the skipped one (06:01:30).");
            Assert.Equal(["Agent paused", "Agent resumed", "Agent round 1 started (schedule)"],
                cluster.Get<RunTimeline>().Snapshot().Events.Where(e => e.Kind == EventKinds.Agent).Select(e => e.Message).Take(3));
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }
    }
}
