using Microsoft.Extensions.Logging;
using KafkaDemo.TestSupport;

namespace KafkaDemo.IntegrationTests;

/// <summary>What the producer reports when it stops with messages it could not deliver.</summary>
public sealed class ShutdownTests(EmbeddedCluster embedded) : IClassFixture<EmbeddedCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Messages_still_in_flight_when_the_shutdown_flush_times_out_are_counted_as_failed_and_logged()
    {
        var topic = embedded.NewTopic(partitions: 3);
        var logs = new LogCapture();
        using var producer = DemoServices.Producer(embedded.BootstrapServers, topic, count: 0, rate: 2000, logs, "it-shutdown",
            ("Producer:FlushTimeoutSeconds", "1"));
        await producer.StartAsync(TestContext.Current.CancellationToken);
        var metrics = producer.ProducerMetrics();
        await Eventually.TrueAsync(() => metrics.Acked >= 500, Deadline, "The producer never got going.");

        // Every broker goes: nothing more can be acknowledged, and librdkafka keeps the messages
        // for message.timeout.ms (300 s), far longer than the 1 s shutdown flush.
        var brokers = embedded.Cluster.Brokers.Select(b => b.Id).ToList();
        try
        {
            brokers.ForEach(embedded.Cluster.SetBrokerDown);
            var ackedWhenDown = metrics.Acked;
            await Eventually.TrueAsync(() => metrics.Sent - metrics.Acked - metrics.Failed >= 200, Deadline, "Nothing piled up in flight.");

            await producer.StopAsync(TestContext.Current.CancellationToken);

            var inFlight = metrics.Sent - ackedWhenDown;
            Assert.True(metrics.Failed > 0, "Nothing was counted as failed.");
            Assert.Equal(metrics.Sent, metrics.Acked + metrics.Failed);
            Assert.Equal(0, metrics.Snapshot().InFlight);
            Assert.InRange(metrics.Failed, 200, inFlight);
            var warning = Assert.Single(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("still in flight", StringComparison.Ordinal));
            Assert.Contains($"{metrics.Failed} message(s)", warning.Message, StringComparison.Ordinal);
        }
        finally
        {
            brokers.ForEach(embedded.Cluster.SetBrokerUp);
        }
    }
}
