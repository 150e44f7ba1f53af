extern alias consumer;

using Confluent.Kafka;
using KafkaDemo.TestSupport;

namespace KafkaDemo.IntegrationTests;

public sealed class FaultTests(EmbeddedCluster embedded) : IClassFixture<EmbeddedCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_broker_down_and_up_mid_stream_loses_and_duplicates_nothing()
    {
        const int count = 16_000; // 8 s at 2000/s
        var topic = embedded.NewTopic(partitions: 6);
        using var consumer = DemoServices.Consumer(embedded.BootstrapServers, topic, count);
        using var producer = DemoServices.Producer(embedded.BootstrapServers, topic, count, rate: 2000);
        await consumer.StartAndJoinAsync(Deadline);
        await producer.StartAsync(TestContext.Current.CancellationToken);
        var sent = producer.ProducerMetrics();

        // Take the leader of partition 0 down mid-stream and bring it back while
        // messages keep coming. The load pauses for an instant around the cut so that no produce
        // request is in flight when the broker goes: librdkafka's mock broker deduplicates retried
        // batches only for transactional producers, so a request cut after the mock wrote it would
        // be written twice there (real Kafka deduplicates idempotent producers). What is tested is
        // everything else: retries, ordering and delivery across the outage.
        await Eventually.TrueAsync(() => sent.Acked >= 4_000, Deadline, "The producer never got going.");
        var load = producer.LoadControl();
        load.SetPaused(true);
        await Eventually.TrueAsync(() => sent.Sent == sent.Acked + sent.Failed, Deadline, "Messages stayed in flight while paused.");
        var leader = LeaderOfPartitionZero(topic);
        embedded.Cluster.SetBrokerDown(leader);
        load.SetPaused(false);
        var sentWhenDown = sent.Sent;
        await Eventually.TrueAsync(() => sent.Sent >= sentWhenDown + 4_000, Deadline, "The producer stopped sending during the outage.");
        Assert.True(sent.Sent - sent.Acked > 100, "Nothing waited for the downed broker: the outage did not bite.");
        embedded.Cluster.SetBrokerUp(leader);

        await producer.ProducerFinished().WaitAsync(Deadline, TestContext.Current.CancellationToken);
        await consumer.ConsumerFinished().WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.Equal(count, sent.Acked);
        Assert.Equal(0, sent.Failed);
        var stats = consumer.ConsumerMetrics().Snapshot();
        Assert.Equal(count, stats.Verified);
        Assert.Equal(0, stats.Gaps);
        Assert.Equal(0, stats.Duplicates);
        Assert.Equal(0, stats.OutOfOrder);
        Assert.Equal(0, stats.IntegrityFailures.Total);

        // The outage was real: some messages waited for the broker far longer than usual.
        Assert.True(sent.PublishLatency.Summaries().Last10s.Max > 100 || sent.Snapshot().PublishLatencyMs.SinceStart.Max > 100,
            "No message waited for the downed broker.");

        await producer.StopAsync(TestContext.Current.CancellationToken);
        await consumer.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_broker_outage_while_messages_are_in_flight_leaves_no_gap_and_every_message_accounted_for()
    {
        const int count = 16_000; // 8 s at 2000/s
        var cancel = TestContext.Current.CancellationToken;
        var topic = embedded.NewTopic(partitions: 6);
        using var consumer = DemoServices.Consumer(embedded.BootstrapServers, topic, count: 0);
        using var producer = DemoServices.Producer(embedded.BootstrapServers, topic, count, rate: 2000, "it-outage-in-flight");
        await consumer.StartAndJoinAsync(Deadline);
        await producer.StartAsync(cancel);
        var sent = producer.ProducerMetrics();

        // No pause: the leader of partition 0 goes down with produce requests in flight, and stays
        // down for 3 s while the load goes on.
        await Eventually.TrueAsync(() => sent.Acked >= 4_000, Deadline, "The producer never got going.");
        var leader = LeaderOfPartitionZero(topic);
        embedded.Cluster.SetBrokerDown(leader);
        var sentWhenDown = sent.Sent;
        try
        {
            await Eventually.TrueAsync(() => sent.Sent >= sentWhenDown + 6_000, Deadline, "The producer stopped sending during the outage.");
            Assert.True(sent.Sent - sent.Acked > 100, "Nothing waited for the downed broker: the outage did not bite.");
        }
        finally
        {
            embedded.Cluster.SetBrokerUp(leader);
        }

        await producer.ProducerFinished().WaitAsync(Deadline, cancel);
        var metrics = consumer.ConsumerMetrics();
        ConsumerStatsView? seen = null;
        await Eventually.TrueAsync(
            () => Task.FromResult((seen = ConsumerStatsView.Of(metrics)).FirstDeliveries >= sent.Acked),
            Deadline,
            () => $"Acknowledged messages are missing: acknowledged {sent.Acked}, first deliveries {seen?.FirstDeliveries}, gaps {seen?.Gaps}.");
        await Task.Delay(500, cancel); // anything more would be a message nobody acknowledged or failed
        var stats = metrics.Snapshot();

        // Every message is accounted for by the producer: acknowledged or failed, nothing left.
        Assert.Equal(count, sent.Sent);
        Assert.Equal(sent.Sent, sent.Acked + sent.Failed);
        // What the consumer verified for the first time is exactly what was acknowledged: no
        // loss, and the failures the producer reports are exactly the messages that never arrived.
        Assert.Equal(sent.Acked, stats.Verified - stats.Duplicates - stats.Redelivered);
        Assert.Equal(sent.Failed, sent.Sent - (stats.Verified - stats.Duplicates - stats.Redelivered));
        Assert.Equal(0, stats.Gaps);
        Assert.Equal(0, stats.IntegrityFailures.Total);
        Assert.Equal(0, stats.OutOfOrder);
        Assert.True(sent.Snapshot().PublishLatencyMs.SinceStart.Max > 1_000, "No message waited out the outage.");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"sent {sent.Sent}, acknowledged {sent.Acked}, failed {sent.Failed}; verified {stats.Verified}, duplicates {stats.Duplicates} "
            + $"(the mock broker rewrites a retried batch cut by the outage), redelivered {stats.Redelivered}, gaps {stats.Gaps}, integrity failures {stats.IntegrityFailures.Total}");

        await producer.StopAsync(cancel);
        await consumer.StopAsync(cancel);
    }

    /// <summary>The consumer's counts that matter here, read together.</summary>
    private sealed record ConsumerStatsView(long FirstDeliveries, long Gaps)
    {
        public static ConsumerStatsView Of(consumer::KafkaDemo.Consumer.Stats.ConsumerMetrics metrics)
        {
            var counts = metrics.Tracker.Counts;
            return new(metrics.Verified - counts.Duplicates - counts.Redelivered, counts.Gaps);
        }
    }

    private int LeaderOfPartitionZero(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = embedded.BootstrapServers }).Build();
        return admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Single(p => p.PartitionId == 0).Leader;
    }
}
