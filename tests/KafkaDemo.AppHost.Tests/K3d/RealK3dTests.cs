using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// The whole app on a real k3d cluster with real Strimzi and Kafka. Needs Docker and k3d, so it
/// runs only when asked: <c>KAFKADEMO_E2E=k3d dotnet test --project tests/KafkaDemo.AppHost.Tests
/// -c Release -- --filter-class '*RealK3dTests'</c>. It creates its own cluster (kafkademo-e2e) and
/// deletes it at the end.
/// </summary>
public sealed class RealK3dTests
{
    public const string Variable = "KAFKADEMO_E2E";

    private const string Cluster = "kafkademo-e2e";

    [Fact]
    public async Task On_a_real_k3d_cluster_messages_are_verified_end_to_end()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(Variable) == "k3d",
            $"Runs against real Docker and k3d only when {Variable}=k3d (it creates and deletes the k3d cluster {Cluster}; the first run pulls about 1.5 GB of images).");
        var kubectl = ExternalTool.Find("kubectl") ?? throw new InvalidOperationException($"{Variable}=k3d needs kubectl on PATH, to check the written kubeconfig by hand.");
        using var test = K3dTestApp.Create(Cluster);
        var output = TestContext.Current.TestOutputHelper!;
        try
        {
            using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(25));
            await using var builder = await test.BuilderAsync("--KafkaDemo:K3d:DeleteOnExit=true", "--KafkaDemo:Rate=2000", "--KafkaDemo:Controller:Enabled=false");
            await using var app = await builder.BuildAsync(startup.Token);
            await app.StartAsync(startup.Token);
            var kafka = await app.ResourceNotifications.WaitForResourceAsync("kafka",
                e => e.Snapshot.State?.Text is "Running" or "FailedToStart", startup.Token);
            Assert.True(kafka.Snapshot.State?.Text == "Running", "Kafka did not come up; see the kafka and k3d resources' logs in the test output.");

            using var consumer = app.CreateHttpClient("consumer");
            ConsumerStats? stats = null;
            await Eventually.TrueAsync(async () =>
            {
                stats = await consumer.GetFromJsonAsync<ConsumerStats>("/api/stats", startup.Token);
                return stats is { Verified: >= 10_000 };
            }, TimeSpan.FromMinutes(10), "Fewer than 10,000 messages were verified within 10 minutes.");

            output.WriteLine($"verified {stats!.Verified}, integrity failures {stats.IntegrityFailures.Total}, gaps {stats.Gaps}, duplicates {stats.Duplicates}, "
                + $"p50 {stats.LatencyMs.SinceStart.P50:F1} ms, p99 {stats.LatencyMs.SinceStart.P99:F1} ms");
            Assert.Equal(0, stats.IntegrityFailures.Total);
            Assert.Equal(0, stats.Gaps);
            Assert.True(stats.LatencyMs.SinceStart.P99 > 0, "No p99 latency was measured.");

            var (exitCode, text, error) = await ExternalTool.RunAsync(kubectl, ["--kubeconfig", test.KubeconfigPath, "get", "kafka", "-n", "kafka"]);
            output.WriteLine(text);
            Assert.True(exitCode == 0, error);
            Assert.Contains("kafkademo", text, StringComparison.Ordinal);
        }
        finally
        {
            // DeleteOnExit deleted it when the app stopped; make sure, even after a failure.
            if (ExternalTool.Find("k3d") is { } k3d)
            {
                await ExternalTool.RunAsync(k3d, ["cluster", "delete", Cluster], timeout: TimeSpan.FromMinutes(3));
                var (_, clusters, _) = await ExternalTool.RunAsync(k3d, ["cluster", "list", "-o", "json"]);
                Assert.DoesNotContain($"\"name\":\"{Cluster}\"", clusters, StringComparison.Ordinal);
            }
        }
    }
}
