using Confluent.Kafka;
using KafkaDemo.Messaging.Envelopes;
using KafkaDemo.TestSupport;

namespace KafkaDemo.IntegrationTests;

public sealed class PipelineTests(EmbeddedCluster embedded) : IClassFixture<EmbeddedCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Every_signed_message_is_verified_with_no_gap_or_duplicate()
    {
        const int count = 20_000; // 4 s at 5000/s
        var topics = $"{embedded.NewTopic()}:3,{embedded.NewTopic()}:1";
        // As the AppHost runs it against the embedded broker, which holds an empty fetch for the whole wait.
        using var consumer = DemoServices.Consumer(embedded.BootstrapServers, topics, count, ("Aspire:Confluent:Kafka:Consumer:Config:FetchWaitMaxMs", "1"));
        using var producer = DemoServices.Producer(embedded.BootstrapServers, topics, count, rate: 5000);

        await consumer.StartAndJoinAsync(Deadline);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await producer.StartAsync(TestContext.Current.CancellationToken);
        await producer.ProducerFinished().WaitAsync(Deadline, TestContext.Current.CancellationToken);
        await consumer.ConsumerFinished().WaitAsync(Deadline, TestContext.Current.CancellationToken);
        var elapsedMs = clock.Elapsed.TotalMilliseconds;

        var sent = producer.ProducerMetrics();
        Assert.Equal(count, sent.Acked);
        Assert.Equal(0, sent.Failed);

        var metrics = consumer.ConsumerMetrics();
        metrics.CloseInterval(long.MaxValue / 2, 0); // what the interval clock does each second: include the last partial second
        var stats = metrics.Snapshot();
        Assert.Equal(count, stats.Received);
        Assert.Equal(count, stats.Verified);
        Assert.Equal(0, stats.IntegrityFailures.Total);
        Assert.Equal(0, stats.Gaps);
        Assert.Equal(0, stats.Duplicates);
        Assert.Equal(0, stats.OutOfOrder);
        Assert.Equal(0, stats.Truncated);
        Assert.Equal(0, stats.ProducerRestarts);
        Assert.Equal(count, stats.LatencyMs.SinceStart.Count);
        Assert.Equal(count, stats.LatencyFromActualSendMs.SinceStart.Count);

        // The latency is what it claims to be: receive minus intended send, in milliseconds. At
        // 5000/s on this broker it is a few ms (a wrong unit or timestamp would give seconds or
        // nothing); no message can have waited longer than the test ran; and, message by message,
        // receive minus actual send is at most receive minus intended send (actual >= intended).
        var latency = stats.LatencyMs.SinceStart;
        var fromActual = stats.LatencyFromActualSendMs.SinceStart;
        TestContext.Current.TestOutputHelper?.WriteLine($"end-to-end p50 {latency.P50} ms, p99 {latency.P99} ms, max {latency.Max} ms; run {elapsedMs:F0} ms");
        Assert.InRange(latency.P50, 0.1, 100);
        Assert.InRange(latency.Max, latency.P50, elapsedMs);
        Assert.True(fromActual.P50 <= latency.P50 && fromActual.P99 <= latency.P99 && fromActual.Max <= latency.Max,
            $"Receive minus actual send (p50 {fromActual.P50}, p99 {fromActual.P99}) exceeds receive minus intended send (p50 {latency.P50}, p99 {latency.P99}).");

        await producer.StopAsync(TestContext.Current.CancellationToken);
        await consumer.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Garbage_written_by_a_plain_client_is_counted_and_verification_goes_on()
    {
        const int signed = 3_000;
        var topic = embedded.NewTopic(partitions: 1);
        using var consumer = DemoServices.Consumer(embedded.BootstrapServers, topic, count: 0);
        using var producer = DemoServices.Producer(embedded.BootstrapServers, topic, signed, rate: 0);
        await consumer.StartAndJoinAsync(Deadline);

        // Every kind of bad record, before and after the signed messages.
        var forged = new byte[256];
        new EnvelopeWriter(HmacKey.FromSecret("not-the-shared-secret-at-all"))
            .Write(forged, new EnvelopeFields(Guid.NewGuid(), 1, 0, 1, 1), topic, 0, [1, 2, 3]);
        var futureVersion = (byte[])forged.Clone();
        futureVersion[2] = 9;
        byte[][] garbage = [[], [0x4B], "not an envelope at all"u8.ToArray(), new byte[10_000], forged, futureVersion];

        using (var plain = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = embedded.BootstrapServers }).Build())
        {
            await ProduceAllAsync(plain, topic, garbage);
            await producer.StartAsync(TestContext.Current.CancellationToken);
            await producer.ProducerFinished().WaitAsync(Deadline, TestContext.Current.CancellationToken);
            await ProduceAllAsync(plain, topic, garbage);
        }

        var metrics = consumer.ConsumerMetrics();
        await Eventually.TrueAsync(() => metrics.Received == signed + (2 * garbage.Length), Deadline);
        var stats = metrics.Snapshot();

        Assert.Equal(signed, stats.Verified);
        Assert.Equal(new Messaging.Contracts.IntegrityFailures(Total: 12, BadMac: 2, Malformed: 8, UnknownVersion: 2, Misplaced: 0), stats.IntegrityFailures);
        Assert.Equal(0, stats.Gaps);
        Assert.Equal(0, stats.Duplicates);
        Assert.Equal(0, stats.Truncated);
        await consumer.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_valid_envelope_copied_into_another_partition_is_misplaced_and_changes_no_stream()
    {
        const int count = 4_000;
        var topic = embedded.NewTopic(partitions: 2);
        using var consumer = DemoServices.Consumer(embedded.BootstrapServers, topic, count: 0);
        using var producer = DemoServices.Producer(embedded.BootstrapServers, topic, count, rate: 0, "it-copy", ("Producer:StickyPartitionMs", "0"));
        await consumer.StartAndJoinAsync(Deadline);
        await producer.StartAsync(TestContext.Current.CancellationToken);
        await producer.ProducerFinished().WaitAsync(Deadline, TestContext.Current.CancellationToken);
        var metrics = consumer.ConsumerMetrics();
        await Eventually.TrueAsync(() => metrics.Verified == count, Deadline, "The producer's own messages were not all verified.");

        // Someone with write access copies partition 1's first and last records, authentic
        // envelopes of the same producer, into partition 0. Taken at face value, the first
        // repeats a sequence number partition 0's stream already had (a false duplicate) and the
        // last runs ahead of it or behind it (a false gap, or a number seen twice).
        var copies = ReadRecords(topic, partition: 1, offsets: [0, LastOffset(topic, 1)]);
        using (var plain = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = embedded.BootstrapServers }).Build())
        {
            foreach (var value in copies)
            {
                await plain.ProduceAsync(new TopicPartition(topic, 0), new Message<Null, byte[]> { Value = value }, TestContext.Current.CancellationToken);
            }
        }

        await Eventually.TrueAsync(() => metrics.Received == count + copies.Count, Deadline, "The copies were not read.");
        var stats = metrics.Snapshot();
        Assert.Equal(count, stats.Verified);
        Assert.Equal(copies.Count, stats.IntegrityFailures.Misplaced);
        Assert.Equal(copies.Count, stats.IntegrityFailures.Total);
        Assert.Equal(0, stats.Gaps);
        Assert.Equal(0, stats.Duplicates);
        Assert.Equal(0, stats.OutOfOrder);
        await producer.StopAsync(TestContext.Current.CancellationToken);
        await consumer.StopAsync(TestContext.Current.CancellationToken);
    }

    private long LastOffset(string topic, int partition)
    {
        using var reader = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = embedded.BootstrapServers, GroupId = "it-reader" }).Build();
        return reader.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(10)).High.Value - 1;
    }

    private List<byte[]> ReadRecords(string topic, int partition, long[] offsets)
    {
        var values = new List<byte[]>();
        using var reader = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = embedded.BootstrapServers, GroupId = "it-reader", EnableAutoCommit = false }).Build();
        foreach (var offset in offsets)
        {
            reader.Assign(new TopicPartitionOffset(topic, partition, offset));
            var record = reader.Consume(Deadline) ?? throw new InvalidOperationException($"No record at {topic}[{partition}]@{offset}.");
            values.Add(record.Message.Value);
        }

        return values;
    }

    private static async Task ProduceAllAsync(IProducer<Null, byte[]> producer, string topic, IEnumerable<byte[]> values)
    {
        foreach (var value in values)
        {
            await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = value }, TestContext.Current.CancellationToken);
        }
    }
}
