using System.Net.Http.Json;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.Running;

/// <summary>The whole application, started by Aspire.Hosting.Testing in embedded mode.</summary>
[Collection(SharedRunningApp.Name)]
public sealed class EmbeddedModeTests(RunningApp app)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Verified_messages_flow_end_to_end_with_no_integrity_failure_or_gap()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await Eventually.TrueAsync(
            async () => (await app.Consumer.GetFromJsonAsync<ConsumerStats>("/api/stats", cancellation)) is { Verified: > 1000 },
            Deadline,
            "Fewer than 1000 verified messages.");

        // Stop the flow to count exactly: once nothing is in flight and the consumer has caught up,
        // every message acknowledged by either producer must have been verified, once.
        using (var pause = await app.Overseer.PutAsJsonAsync("/api/load", new LoadChange(true), cancellation))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, pause.StatusCode);
        }

        try
        {
            var producers = new List<ProducerStats>();
            ConsumerStats? stats = null;
            await Eventually.TrueAsync(async () =>
            {
                producers.Clear();
                foreach (var producer in app.Producers)
                {
                    producers.Add((await producer.GetFromJsonAsync<ProducerStats>("/api/stats", cancellation))!);
                }

                stats = await app.Consumer.GetFromJsonAsync<ConsumerStats>("/api/stats", cancellation);
                return producers.All(p => p.InFlight == 0)
                    && stats!.Verified - stats.Redelivered - stats.Duplicates == producers.Sum(p => p.Acked);
            }, Deadline, () => "The consumer did not verify every acknowledged message: "
                + $"acknowledged {producers.Sum(p => p.Acked)} ({string.Join(" + ", producers.Select(p => p.Acked))}), "
                + $"verified {stats?.Verified}, redelivered {stats?.Redelivered}, duplicates {stats?.Duplicates}, gaps {stats?.Gaps}.");

            Assert.All(producers, p => Assert.Equal(0, p.Failed));
            Assert.All(producers, p => Assert.True(p.Acked > 0, $"{p.Instance} acknowledged nothing."));
            Assert.Equal(0, stats!.IntegrityFailures.Total);
            Assert.Equal(0, stats.Gaps);
            Assert.Equal(0, stats.Duplicates);
            Assert.Equal(0, stats.Lost); // nothing removed by retention before it was read
            Assert.True(stats.LatencyMs.SinceStart.Count > 0, "The consumer measured no latency.");
        }
        finally
        {
            using var resume = await app.Overseer.PutAsJsonAsync("/api/load", new LoadChange(false), cancellation);
            await app.LoadRunningAgainAsync();
        }
    }

    [Fact]
    public async Task The_overseer_summary_has_every_field_with_live_values()
    {
        // The latency is merged over the last 10 s: right after another test of this app paused the
        // load and resumed it, it may have no message yet. Wait (bounded) for a summary that has one.
        OverseerSummary? summary = null;
        await Eventually.TrueAsync(
            async () => (summary = await app.Overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", TestContext.Current.CancellationToken)) is { Consumer.LatencyMs.P99: > 0 },
            TimeSpan.FromSeconds(30),
            () => $"The summary's p99 latency over the last 10 s stayed at {summary?.Consumer.LatencyMs.P99}.");

        Assert.NotNull(summary);
        Assert.Equal("embedded", summary.Mode);
        Assert.StartsWith("127.0.0.1:", summary.Kafka.BootstrapServers, StringComparison.Ordinal);
        Assert.Equal(2, summary.Producer.Instances);
        Assert.True(summary.Producer.TargetRate > 0);
        Assert.True(summary.Producer.Sent > 0);
        Assert.Equal(1, summary.Consumer.Instances);
        Assert.True(summary.Consumer.Verified > 0);
        Assert.True(summary.Consumer.LatencyMs.P50 <= summary.Consumer.LatencyMs.P99);
        Assert.False(summary.Controller.Enabled);
        Assert.Equal(25, summary.Controller.SloP99Ms);
        Assert.Equal("none", summary.Agent.State);
        Assert.Empty(summary.StaleInstances);

        // The loss figures are there by name (a typed read would default a missing one to 0), and
        // in a consumer that keeps up they are 0.
        var json = await app.Overseer.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/summary", TestContext.Current.CancellationToken);
        Assert.Equal(0, json!["consumer"]!["lost"]!.GetValue<long>());
        Assert.Equal(0, json["consumer"]!["lostLast10s"]!.GetValue<long>());
    }
}
