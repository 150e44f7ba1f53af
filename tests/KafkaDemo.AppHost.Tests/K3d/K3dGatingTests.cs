using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using KafkaDemo.TestSupport;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// WaitFor does the k3d mode's ordering, not a class that knows the order: in the whole app against
/// the fake cluster, kafka is seen in Aspire's own Waiting state, waiting for k3d, until the cluster
/// runs; the agent does nothing of its own before Kafka is healthy; and after "Recreate cluster" both
/// go back to waiting and come up again in that order.
/// </summary>
public sealed class K3dGatingTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    /// <summary>The snapshots recorded so far, with their place in the order Aspire published them.</summary>
    private static List<(int At, string Resource, CustomResourceSnapshot Snapshot)> Recorded(FakeCluster cluster) =>
        [.. cluster.Snapshots.Select((s, i) => (i, s.Resource, s.Snapshot))];

    private static string[] WaitingFor(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "resource.waitingFor")?.Value is IEnumerable<string> names ? [.. names] : [];

    private static bool IsOwnState(CustomResourceSnapshot s) => s.State?.Text is { Length: > 0 } state
        && state != KnownResourceStates.NotStarted && state != KnownResourceStates.Waiting;

    [Fact]
    public async Task Kafka_waits_for_the_cluster_and_the_agent_for_healthy_Kafka_also_after_a_recreate()
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();
        await using var app = await cluster.StartAppAsync("--KafkaDemo:Rate=100", "--KafkaDemo:Controller:Enabled=false");
        await WaitForAsync(app, "vibectl", s => s.State?.Text == "Not configured");

        var first = Recorded(cluster);
        var clusterRunning = first.First(s => s.Resource == "k3d" && s.Snapshot.State?.Text == KnownResourceStates.Running).At;
        var kafkaWaiting = first.First(s => s.Resource == "kafka" && s.Snapshot.State?.Text == KnownResourceStates.Waiting);
        Assert.True(kafkaWaiting.At < clusterRunning, "kafka was not seen Waiting before the cluster ran.");
        Assert.Contains(first, s => s.Resource == "kafka" && s.At < clusterRunning && WaitingFor(s.Snapshot).SequenceEqual(["k3d"]));
        Assert.DoesNotContain(first, s => s.Resource == "kafka" && s.At < clusterRunning && IsOwnState(s.Snapshot));

        var kafkaHealthy = first.First(s => s.Resource == "kafka" && s.Snapshot.State?.Text == KnownResourceStates.Running && s.Snapshot.HealthStatus == HealthStatus.Healthy).At;
        Assert.Contains(first, s => s.Resource == "vibectl" && s.At < kafkaHealthy && WaitingFor(s.Snapshot).SequenceEqual(["kafka"]));
        var agentFirstOwn = first.First(s => s.Resource == "vibectl" && IsOwnState(s.Snapshot)).At;
        Assert.True(agentFirstOwn > kafkaHealthy, "The agent's lifecycle published a state of its own before kafka was healthy.");

        // Recreate: the cluster's lifecycle only deletes and creates it; kafka and the agent notice it
        // leave Running and wait again, so WaitFor orders them again.
        var before = cluster.Snapshots.Count;
        var recreate = await app.ResourceCommands.ExecuteCommandAsync("k3d", "recreate-cluster", TestContext.Current.CancellationToken);
        Assert.True(recreate.Success, recreate.Message);
        await WaitForAsync(app, "kafka", s => s.State?.Text == KnownResourceStates.Running && s.HealthStatus == HealthStatus.Healthy);
        await WaitForAsync(app, "vibectl", s => s.State?.Text == "Not configured");
        await Eventually.TrueAsync(() => Task.FromResult(Recorded(cluster).Skip(before).Any(s => s.Resource == "vibectl" && s.Snapshot.State?.Text == "Not configured")),
            TimeSpan.FromSeconds(30), "The recorder did not see the agent come up again.");

        var after = Recorded(cluster).Skip(before).ToList();
        var deleting = after.First(s => s.Resource == "k3d" && s.Snapshot.State?.Text == "Deleting cluster").At;
        var runningAgain = after.First(s => s.Resource == "k3d" && s.Snapshot.State?.Text == KnownResourceStates.Running).At;
        Assert.Contains(after, s => s.Resource == "kafka" && s.At > deleting && s.At < runningAgain && s.Snapshot.State?.Text == KnownResourceStates.Waiting
            && WaitingFor(s.Snapshot).SequenceEqual(["k3d"]));
        Assert.DoesNotContain(after, s => s.Resource == "kafka" && s.At > deleting && s.At < runningAgain && IsOwnState(s.Snapshot));
        var installing = after.First(s => s.Resource == "kafka" && s.Snapshot.State?.Text == "Installing Strimzi").At;
        Assert.True(installing > runningAgain, "Kafka was brought up again before the cluster ran again.");
        var kafkaHealthyAgain = after.First(s => s.Resource == "kafka" && s.At > installing && s.Snapshot.State?.Text == KnownResourceStates.Running
            && s.Snapshot.HealthStatus == HealthStatus.Healthy).At;
        Assert.Contains(after, s => s.Resource == "vibectl" && s.At < kafkaHealthyAgain && s.Snapshot.State?.Text == KnownResourceStates.Waiting
            && WaitingFor(s.Snapshot).SequenceEqual(["kafka"]));
        Assert.DoesNotContain(after, s => s.Resource == "vibectl" && s.At > deleting && s.At < kafkaHealthyAgain && IsOwnState(s.Snapshot));
        Assert.Equal(2, cluster.Tools.CreatedFromConfigs.Count);
    }

    private static async Task WaitForAsync(DistributedApplication app, string resource, Func<CustomResourceSnapshot, bool> done)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Deadline);
        try
        {
            await app.ResourceNotifications.WaitForResourceAsync(resource, e => done(e.Snapshot), deadline.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"{resource} did not get there within {Deadline.TotalSeconds} s. Its log:\n{await FakeCluster.LogsAsync(app, resource)}");
        }
    }
}
