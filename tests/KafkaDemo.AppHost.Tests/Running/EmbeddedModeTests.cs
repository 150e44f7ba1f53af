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
        ConsumerStats? stats = null;
        await Eventually.TrueAsync(async () =>
        {
            stats = await app.Consumer.GetFromJsonAsync<ConsumerStats>("/api/stats", TestContext.Current.CancellationToken);
            return stats is { Verified: > 1000 };
        }, Deadline, "Fewer than 1000 verified messages.");

        Assert.Equal(0, stats!.IntegrityFailures.Total);
        Assert.Equal(0, stats.Gaps);
        Assert.Equal(0, stats.Duplicates);
        Assert.True(stats.LatencyMs.Last10s.Count > 0, "The consumer measured no latency.");

        var sent = await app.Producer.GetFromJsonAsync<ProducerStats>("/api/stats", TestContext.Current.CancellationToken);
        Assert.True(sent!.Acked >= stats.Verified - 1000, $"Verified {stats.Verified} but only {sent.Acked} acknowledged.");
        Assert.Equal(0, sent.Failed);
    }

    [Fact]
    public async Task The_overseer_summary_has_every_field_with_live_values()
    {
        var summary = await app.Overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", TestContext.Current.CancellationToken);

        Assert.NotNull(summary);
        Assert.Equal("embedded", summary.Mode);
        Assert.StartsWith("127.0.0.1:", summary.Kafka.BootstrapServers, StringComparison.Ordinal);
        Assert.Equal(1, summary.Producer.Instances);
        Assert.True(summary.Producer.TargetRate > 0);
        Assert.True(summary.Producer.Sent > 0);
        Assert.Equal(1, summary.Consumer.Instances);
        Assert.True(summary.Consumer.Verified > 0);
        Assert.True(summary.Consumer.LatencyMs.P99 > 0);
        Assert.True(summary.Consumer.LatencyMs.P50 <= summary.Consumer.LatencyMs.P99);
        Assert.False(summary.Controller.Enabled);
        Assert.Equal(25, summary.Controller.SloP99Ms);
        Assert.Equal("none", summary.Agent.State);
        Assert.Empty(summary.StaleInstances);
    }
}
