extern alias overseer;

using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using overseer::KafkaDemo.Overseer.Agent;
using overseer::KafkaDemo.Overseer.StrimziWatch;

namespace KafkaDemo.IntegrationTests.Agent;

/// <summary>
/// Nothing the cluster does stops the Overseer: error answers, answers slower than the client's
/// timeout, answers that are not what KubernetesClient can read, and a cluster recreated behind a new
/// kubeconfig. Each is logged, the call retried, and a round that meets one ends failed with why.
/// Faults come from the fake API server (its README: FaultRule.Error, FaultRule.Latency).
/// </summary>
public sealed class ClusterFaultTests
{
    private const string AgentPods = "/api/v1/namespaces/kafkademo-agent/pods";
    private const string BrokerPods = "/api/v1/namespaces/kafka/pods";
    private const string Kafka = "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkas/kafkademo";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_503_from_the_pod_lookup_fails_the_round_with_why_and_the_next_round_runs()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var loop = cluster.Get<AgentLoop>();

        using (cluster.Api.AddFault(FaultRule.Error("GET", AgentPods, HttpStatusCode.ServiceUnavailable, times: 1)))
        {
            await loop.RunRoundAsync("manual", Token);
        }

        await loop.RunRoundAsync("schedule", Token);

        var rounds = cluster.Get<AgentActivity>().Rounds;
        Assert.Equal(AgentRoundResult.Failed, rounds[0].Result);
        Assert.StartsWith("Listing the agent's pods in kafkademo-agent failed", rounds[0].Reason, StringComparison.Ordinal);
        Assert.Contains("ServiceUnavailable", rounds[0].Reason, StringComparison.Ordinal);
        Assert.NotNull(rounds[0].EndedAt);
        Assert.True(rounds[1].Result == AgentRoundResult.Ok, rounds[1].Reason);
    }

    [Fact]
    public async Task A_pod_lookup_slower_than_the_client_timeout_fails_the_round_instead_of_waiting()
    {
        await using var cluster = await AgentCluster.StartAsync(settings: "Overseer:Cluster:RequestTimeoutSeconds=1");
        var latency = TimeSpan.FromSeconds(10);
        using var slow = cluster.Api.AddFault(FaultRule.Latency("GET", AgentPods, latency, times: 1));
        var watch = Stopwatch.StartNew();

        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);

        Assert.True(watch.Elapsed < latency, $"The round waited {watch.Elapsed} for an answer the client gives up on after 1 s.");
        var round = Assert.Single(cluster.Get<AgentActivity>().Rounds);
        Assert.Equal(AgentRoundResult.Failed, round.Result);
        Assert.StartsWith("Listing the agent's pods in kafkademo-agent failed", round.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pod_list_the_client_cannot_read_fails_the_round_and_the_next_one_runs_once_it_is_gone()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var loop = cluster.Get<AgentLoop>();
        cluster.Api.Put(Garbage("vibectl-garbage", "kafkademo-agent", """{"app.kubernetes.io/name":"vibectl"}"""));

        await loop.RunRoundAsync("manual", Token);
        Assert.True(cluster.Api.Delete(ResourceType.Pods, "kafkademo-agent", "vibectl-garbage"));
        await loop.RunRoundAsync("schedule", Token);

        var rounds = cluster.Get<AgentActivity>().Rounds;
        Assert.Equal(AgentRoundResult.Failed, rounds[0].Result);
        Assert.StartsWith("Listing the agent's pods in kafkademo-agent failed", rounds[0].Reason, StringComparison.Ordinal);
        Assert.True(rounds[1].Result == AgentRoundResult.Ok, rounds[1].Reason);
    }

    [Fact]
    public async Task The_watch_and_the_broker_count_survive_error_answers_slow_answers_and_garbage()
    {
        await using var cluster = await AgentCluster.StartAsync(settings: "Overseer:Cluster:RequestTimeoutSeconds=1");
        using var refused = cluster.Api.AddFault(FaultRule.Error("GET", Kafka, HttpStatusCode.ServiceUnavailable, times: 2));
        using var slow = cluster.Api.AddFault(FaultRule.Latency("GET", BrokerPods, TimeSpan.FromSeconds(5), times: 1));
        cluster.Api.Put(Garbage(StrimziNames.BrokerPod(9), StrimziNames.Namespace, BrokerLabels));
        var watcher = cluster.Get<IEnumerable<IHostedService>>().OfType<KafkaResourceWatcher>().Single();
        var state = cluster.Get<KafkaResourceState>();
        await watcher.StartAsync(Token);
        try
        {
            await Eventually.TrueAsync(() => state.BrokerConfig.GetValueOrDefault("num.io.threads") == "2", Deadline, "The watch did not get past two 503s.");
            await Eventually.TrueAsync(() => cluster.Api.Requests.Count(r => r.Path == BrokerPods && r.StatusCode is 200) >= 2, Deadline, "The broker count was not tried again.");
            Assert.False(watcher.ExecuteTask!.IsCompleted, "The watcher stopped.");
            Assert.Equal(0, state.Brokers.Ready); // nothing counted from a list the client could not read

            // The garbage goes; a ready broker is counted.
            Assert.True(cluster.Api.Delete(ResourceType.Pods, StrimziNames.Namespace, StrimziNames.BrokerPod(9)));
            cluster.Api.Put(JsonNode.Parse($$$"""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"kafkademo-dual-0","namespace":"kafka","labels":{{{BrokerLabels}}}},
                 "spec":{"containers":[{"name":"kafka","image":"kafka"}]},
                 "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}
                """)!.AsObject());
            await Eventually.TrueAsync(() => state.Brokers.Ready == 1, Deadline, "The broker count did not resume.");

            // A change still reaches the watch.
            var kafka = cluster.Api.Get(AgentCluster.Kafkas, StrimziNames.Namespace, StrimziNames.KafkaName)!;
            kafka["spec"]!["kafka"]!["config"]!["num.io.threads"] = 3;
            kafka["metadata"]!.AsObject().Remove("managedFields");
            cluster.Api.Put(kafka, "kubectl-patch");
            await Eventually.TrueAsync(() => state.Changes.Any(c => c.Summary == "num.io.threads 2→3"), Deadline, "The watch missed a change after the faults.");
            Assert.False(watcher.ExecuteTask.IsCompleted, "The watcher stopped.");
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_agent_loop_survives_a_cluster_that_refuses_and_garbles_and_goes_on_when_it_answers()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 6, 0, 0, TimeSpan.Zero));
        await using var cluster = await AgentCluster.StartAsync(true, clock);
        var loop = cluster.Get<AgentLoop>();
        var activity = cluster.Get<AgentActivity>();
        var refused = cluster.Api.AddFault(FaultRule.Error("GET", "/apis/apps/v1/namespaces/kafkademo-agent/deployments/vibectl", HttpStatusCode.ServiceUnavailable));
        cluster.Api.Put(Garbage("vibectl-garbage", "kafkademo-agent", """{"app.kubernetes.io/name":"vibectl"}"""));
        await loop.StartAsync(Token);
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(activity.Detail.StartsWith("The cluster refused to show the agent's Deployment (503)", StringComparison.Ordinal)), Deadline,
                () => $"The refusal was not reported: {activity.State}, {activity.Detail}");
            Assert.Equal(AgentState.NotConfigured, activity.State);

            // It answers again, but its pod list is garbage: the loop says nothing is ready and goes on.
            refused.Dispose();
            await Eventually.TrueAsync(() =>
            {
                clock.Advance(TimeSpan.FromSeconds(5));
                return Task.FromResult(activity.State == AgentState.Idle && cluster.Api.Requests.Count(r => r.Path == AgentPods) >= 2);
            }, Deadline, () => $"The loop did not go on: {activity.State}, {activity.Detail}");
            Assert.Null(cluster.Vibectl.Instructions);

            // The garbage goes: the pod is set up.
            Assert.True(cluster.Api.Delete(ResourceType.Pods, "kafkademo-agent", "vibectl-garbage"));
            await Eventually.TrueAsync(() =>
            {
                clock.Advance(TimeSpan.FromSeconds(5));
                return cluster.Vibectl.Instructions is not null;
            }, Deadline, "vibectl was not set up once the cluster answered properly.");
            Assert.False(loop.ExecuteTask!.IsCompleted, "The agent loop stopped.");
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task After_the_kubeconfig_is_rewritten_for_a_recreated_cluster_the_watch_and_the_rounds_follow_it()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var watcher = cluster.Get<IEnumerable<IHostedService>>().OfType<KafkaResourceWatcher>().Single();
        var state = cluster.Get<KafkaResourceState>();
        var loop = cluster.Get<AgentLoop>();
        await watcher.StartAsync(Token);
        var second = await AgentCluster.StartSecondClusterAsync(ioThreads: 6);
        var vibectl = second.View;
        await using (second)
        {
            try
            {
                await Eventually.TrueAsync(() => state.BrokerConfig.GetValueOrDefault("num.io.threads") == "2", Deadline, "The watch never saw the first cluster.");
                await loop.RunRoundAsync("manual", Token);
                Assert.Equal(1, cluster.Vibectl.AutoRuns);

                // Recreate cluster: the AppHost writes the new cluster's kubeconfig over the old one.
                second.Api.WriteKubeconfig(cluster.Kubeconfig);

                await Eventually.TrueAsync(() => state.BrokerConfig.GetValueOrDefault("num.io.threads") == "6", Deadline, "The watch did not follow the new kubeconfig.");
                await loop.RunRoundAsync("manual", Token);

                var round = cluster.Get<AgentActivity>().Rounds[^1];
                Assert.True(round.Result == AgentRoundResult.Ok, round.Reason);
                Assert.Equal(1, vibectl.AutoRuns);
                Assert.Equal(1, cluster.Vibectl.AutoRuns);
                Assert.Equal(AgentInstructions.Text, vibectl.Instructions); // a new pod: set up again
                await Eventually.TrueAsync(() => state.Changes.Any(c => c.Summary == "num.io.threads 6→12"), Deadline, "The watch missed the change on the new cluster.");
                Assert.False(watcher.ExecuteTask!.IsCompleted, "The watcher stopped.");
            }
            finally
            {
                await watcher.StopAsync(CancellationToken.None);
            }
        }
    }

    private const string BrokerLabels = """{"strimzi.io/cluster":"kafkademo","strimzi.io/kind":"Kafka","strimzi.io/broker-role":"true"}""";

    /// <summary>A pod KubernetesClient cannot read: its conditions are a string, not a list (a JsonException when the list is read).</summary>
    private static JsonObject Garbage(string name, string ns, string labels) => JsonNode.Parse($$$"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","labels":{{{labels}}}},
         "spec":{"containers":[{"name":"x","image":"x"}]},
         "status":{"phase":"Running","conditions":"Ready, I promise"}}
        """)!.AsObject();
}
