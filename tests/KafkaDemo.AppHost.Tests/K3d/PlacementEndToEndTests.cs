using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using KafkaDemo.DeploymentContract.Load;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.AppHost.Tests.K3d.FakeCluster;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// Issue 17's end-to-end test of KafkaDemo:Placement=cluster: the whole AppHost in k3d mode against the
/// fake cluster, whose kubelet runs the load's hash-tagged images as the real Producer and Consumer
/// processes (the plain listener resolving to the embedded Kafka). The Overseer, run by the AppHost,
/// finds the pods from the load's EndpointSlices and polls them through the API server's pod proxy;
/// messages are verified end to end, and it follows the dashboard's scale commands from 1 to 3 to 2
/// producers with exact totals, keeping the total target rate as pods come and go. What did not run for real: docker and k3d (scripted), the API server
/// (the fake), the containers (host processes on loopback ports).
/// </summary>
public sealed class PlacementEndToEndTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    /// <summary>The total rate, messages per second; the controller off, so that it changes only as this test changes it.</summary>
    private const int Rate = 200;

    private static readonly string[] Light = LightPlacementArgs(producers: 1, consumers: 1, rate: Rate, controller: false);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Messages_are_verified_end_to_end_and_the_Overseer_follows_1_then_3_then_2_producer_pods_with_exact_totals()
    {
        SharedReference.RequireK8sReference();
        var output = TestContext.Current.TestOutputHelper!;
        var clock = Stopwatch.StartNew();
        IReadOnlyList<ContainerProcessRecord> processes;
        await using (var cluster = await FakeCluster.StartAsync())
        {
            cluster.RunLoadAsProcesses();
            await using (var app = await cluster.StartAppAsync(Light))
            {
                // A failure carries what the Overseer, the cluster and the resources showed then (one run in ~10 failed with no evidence).
                try
                {
                    await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "1/1 ready", Deadline);
                    await WaitForAsync(app, "consumer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "1/1 ready", Deadline);
                    using (var startup = CancellationTokenSource.CreateLinkedTokenSource(Token))
                    {
                        startup.CancelAfter(Deadline);
                        await app.ResourceNotifications.WaitForResourceHealthyAsync("overseer", startup.Token);
                    }

                    output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: producer and consumer Running, the Overseer healthy");
                    using var overseer = app.CreateHttpClient("overseer");
                    overseer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestApp.ControlToken);

                    // One producer pod, one consumer pod: messages verified end to end, each pod listed by its name.
                    var summary = await SummaryWhenAsync(overseer, cluster, s => s.Consumer.Verified > 0 && s.Producer.Instances == 1 && s.Consumer.Instances == 1, "messages verified from one producer pod by one consumer pod");
                    AssertIntact(summary);

                    // 1 → 3: the dashboard's scale-up command twice; the Overseer lists the three pods.
                    for (var i = 0; i < 2; i++)
                    {
                        var up = await app.ResourceCommands.ExecuteCommandAsync("producer", "scale-up", Token);
                        Assert.True(up.Success, up.Message);
                    }

                    await WaitForAsync(app, "producer", s => ReadyOf(s) == "3/3 ready", Deadline);
                    var before = summary.Producer.Sent;
                    summary = await SummaryWhenAsync(overseer, cluster, s => s.Producer.Instances == 3 && s.Producer.Sent > before, "three producer pods listed and sending");
                    Assert.Equal(3, PodsOf(cluster, LoadDeployment.Producer).Count);
                    output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: 3 producers, {summary.Producer.Sent} sent, {summary.Consumer.Verified} verified");

                    // The two new pods started at the ConfigMap's per-producer rate (the starting total over one producer):
                    // the Overseer gives each of the three its share, so the total offered stays what it was, not three times it.
                    summary = await SummaryWhenAsync(overseer, cluster, s => s.Producer.Instances == 3 && KeptTotal(s), $"the total target rate kept at {Rate}/s over three producers");
                    output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: total target {summary.Producer.TargetRate:F3}/s over 3 producers");
                    Assert.Contains(await EventsAsync(overseer), m => m.StartsWith($"Rate {Rate}/s kept over 3 producers: 66.667/s each", StringComparison.Ordinal));

                    // Paused, so that every count is final before a pod goes: what the producers had acked is
                    // what the consumer verified, and the Overseer shows it.
                    var settled = await PauseAndSettleAsync(overseer, true);
                    output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: paused with 3 producers: {settled.Producer.Sent} sent, {settled.Producer.Acked} acked, {settled.Consumer.Verified} verified");
                    var three = PodsOf(cluster, LoadDeployment.Producer);

                    // 3 → 2: scale-down; the removed pod's process ends, the Overseer drops it and keeps its counts, once.
                    var down = await app.ResourceCommands.ExecuteCommandAsync("producer", "scale-down", Token);
                    Assert.True(down.Success, down.Message);
                    await WaitForAsync(app, "producer", s => ReadyOf(s) == "2/2 ready", Deadline);
                    summary = await SummaryWhenAsync(overseer, cluster, s => s.Producer.Instances == 2, "the Overseer dropped the removed producer pod");
                    var removed = Assert.Single(three.Except(PodsOf(cluster, LoadDeployment.Producer)));
                    await Eventually.TrueAsync(() => cluster.Api.ContainerProcesses.Single(p => p.Pod == removed).HasExited, Deadline, $"The process of the removed pod {removed} still runs.");
                    Assert.Equal(settled.Producer.Sent, summary.Producer.Sent);
                    Assert.Equal(settled.Producer.Acked, summary.Producer.Acked);
                    Assert.Equal(settled.Consumer.Verified, summary.Consumer.Verified);

                    // The two that remain send again; paused once more, the totals are exact: every message the
                    // three pods (the removed one included) had acked was verified once, none lost, none twice.
                    var resume = await PauseAndSettleAsync(overseer, false);
                    await SummaryWhenAsync(overseer, cluster, s => s.Consumer.Verified > settled.Consumer.Verified + 100, "the two remaining producers sending again");

                    // The removed pod's share went to the two left: the total is still the one set.
                    summary = await SummaryWhenAsync(overseer, cluster, s => s.Producer.Instances == 2 && KeptTotal(s), $"the total target rate kept at {Rate}/s over two producers");
                    output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: total target {summary.Producer.TargetRate:F3}/s over 2 producers");
                    var final = await PauseAndSettleAsync(overseer, true);
                    output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: paused with 2 producers: {final.Producer.Sent} sent, {final.Producer.Acked} acked, {final.Producer.Failed} failed, {final.Consumer.Verified} verified");
                    Assert.Equal(final.Producer.Acked, final.Consumer.Verified);
                    Assert.Equal(final.Producer.Sent, final.Producer.Acked + final.Producer.Failed);
                    Assert.Equal(0, final.Producer.Failed);
                    Assert.True(final.Consumer.Verified > settled.Consumer.Verified, "Nothing was verified after the scale-down.");
                    Assert.False(resume.Producer.Paused);
                    AssertIntact(final);
                    AssertInstancesArePods(final, cluster);

                    output.WriteLine("producer: " + string.Join(" → ", cluster.StatesOf("producer")));
                    output.WriteLine("consumer: " + string.Join(" → ", cluster.StatesOf("consumer")));
                    Assert.Equal(KnownResourceStates.Running, cluster.StatesOf("producer")[^1]);
                    Assert.Equal(KnownResourceStates.Running, cluster.StatesOf("consumer")[^1]);
                }
                catch (Exception ex) when (ex is Xunit.Sdk.IAssertionException || (ex is OperationCanceledException && !Token.IsCancellationRequested))
                {
                    throw new Xunit.Sdk.XunitException($"{ex.Message}\n\n{await LoadEvidence.DescribeAsync(app, cluster.Api, cluster.StatesOf)}", ex);
                }
            }

            processes = [.. cluster.Api.ContainerProcesses];
        }

        // Every process the fake started (1 + 2 producers, 1 consumer) is gone with it.
        Assert.Equal(4, processes.Count);
        Assert.All(processes, p => Assert.True(p.HasExited, $"{p.Pod}'s process (pid {p.ProcessId}) outlived the fake cluster."));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s in all");
    }

    /// <summary>Unpaused, the producers' summed target rate is the total the test started with (each share rounds only in its last bits).</summary>
    private static bool KeptTotal(OverseerSummary summary) => !summary.Producer.Paused && Math.Abs(summary.Producer.TargetRate - Rate) < 0.01;

    /// <summary>The messages of the run's events, as /api/run gives them.</summary>
    private static async Task<IReadOnlyList<string>> EventsAsync(HttpClient overseer)
    {
        var run = await overseer.GetFromJsonAsync<JsonElement>("/api/run", Token);
        return [.. run.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString() ?? "")];
    }

    /// <summary>Pauses or resumes the load through the Overseer; when pausing, waits until the totals hold still twice in a row with acked = verified.</summary>
    private static async Task<OverseerSummary> PauseAndSettleAsync(HttpClient overseer, bool paused)
    {
        using (var change = await overseer.PutAsJsonAsync("/api/load", new LoadChange(paused), Token))
        {
            Assert.True(change.IsSuccessStatusCode, await change.Content.ReadAsStringAsync(Token));
        }

        OverseerSummary? summary = null;
        (long, long, long) previous = (-1, -1, -1);
        await Eventually.TrueAsync(
            async () =>
            {
                summary = await overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", Token);
                if (!paused)
                {
                    return summary is { Producer.Paused: false };
                }

                var counts = (summary!.Producer.Sent, summary.Producer.Acked, summary.Consumer.Verified);
                var still = counts == previous;
                previous = counts;
                return summary.Producer.Paused && still && summary.Producer.Acked == summary.Consumer.Verified && summary.StaleInstances.Count == 0;
            },
            Deadline,
            () => $"The load did not settle {(paused ? "paused" : "resumed")}: {JsonSerializer.Serialize(summary?.Producer)} {JsonSerializer.Serialize(summary?.Consumer)}");
        return summary!;
    }

    /// <summary>Polls /api/summary until <paramref name="condition"/> holds and the instances it lists are the load's pods now.</summary>
    private static async Task<OverseerSummary> SummaryWhenAsync(HttpClient overseer, FakeCluster cluster, Func<OverseerSummary, bool> condition, string what)
    {
        OverseerSummary? summary = null;
        await Eventually.TrueAsync(
            async () => (summary = await overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", Token)) is { } s && condition(s)
                && s.Instances.Select(i => i.Name).Order(StringComparer.Ordinal).SequenceEqual(LoadPods(cluster)) && s.Instances.All(i => i.State == "healthy"),
            Deadline,
            () => $"Never {what}. Pods: {string.Join(", ", LoadPods(cluster))}. Summary: {JsonSerializer.Serialize(summary)}");
        AssertInstancesArePods(summary!, cluster);
        return summary!;
    }

    private static void AssertInstancesArePods(OverseerSummary summary, FakeCluster cluster)
    {
        Assert.Equal(LoadPods(cluster), summary.Instances.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.All(summary.Instances, i =>
        {
            Assert.Equal("healthy", i.State);
            Assert.Equal($"pod {LoadDeployment.Namespace}/{i.Name}:{LoadDeployment.HttpPort} (API server proxy)", i.Address);
            Assert.StartsWith(i.Role + "-", i.Name, StringComparison.Ordinal);
        });
    }

    private static void AssertIntact(OverseerSummary summary)
    {
        Assert.True(summary.Consumer.Verified > 0, "Nothing was verified.");
        Assert.Equal(0, summary.Consumer.Gaps);
        Assert.Equal(0, summary.Consumer.Duplicates);
        Assert.Equal(0, summary.Consumer.IntegrityFailures);
        Assert.Equal(0, summary.Consumer.Lost);
    }

    private static IReadOnlyList<string> LoadPods(FakeCluster cluster) =>
        [.. PodsOf(cluster, LoadDeployment.Producer).Concat(PodsOf(cluster, LoadDeployment.Consumer)).Order(StringComparer.Ordinal)];

    /// <summary>The Deployment's pods that are not being deleted, by name.</summary>
    private static IReadOnlyList<string> PodsOf(FakeCluster cluster, string deployment) =>
        [.. cluster.Api.List(ResourceType.Pods, LoadDeployment.Namespace)
            .Where(p => (string?)p["metadata"]!["labels"]?[LoadDeployment.NameLabel] == deployment && p["metadata"]!["deletionTimestamp"] is null)
            .Select(p => (string)p["metadata"]!["name"]!)
            .Order(StringComparer.Ordinal)];
}
