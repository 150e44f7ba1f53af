using System.Buffers.Binary;
using System.Globalization;
using System.Net.Http.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;

namespace KafkaDemo.IntegrationTests;

/// <summary>Processes that die or restart while messages flow.</summary>
public sealed class RestartTests(EmbeddedCluster embedded) : IClassFixture<EmbeddedCluster>, IDisposable
{
    private const int Partitions = 3;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string _state = Directory.CreateTempSubdirectory("kafkademo-restart-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task A_consumer_killed_mid_stream_and_started_again_misses_nothing_and_reports_what_it_reads_again_as_redelivered()
    {
        const int count = 16_000; // 8 s at 2,000/s
        var cancel = TestContext.Current.CancellationToken;
        var topic = embedded.NewTopic(Partitions);
        var group = $"it-kill-{Guid.NewGuid():N}";
        using var producer = DemoServices.Producer(embedded.BootstrapServers, topic, count, rate: 2000, "it-kill-producer");

        // First run: a real process, killed with SIGKILL while messages flow.
        ConsumerStats lastSeen;
        using (var first = StartConsumer(topic, group))
        {
            await first.WaitHealthyAsync(Deadline);
            await producer.StartAsync(cancel);
            ConsumerStats? stats = null;
            await Eventually.TrueAsync(async () => (stats = await StatsAsync(first)) is { Verified: >= 5_000 }, Deadline, "The first run never got going.");
            first.Kill();
            lastSeen = stats!;
        }

        Assert.True(producer.ProducerMetrics().Sent < count, "The producer had already finished: the kill was not mid-stream.");

        // What it left behind: the group's committed offsets, and how far it had handled each
        // partition (its read-positions file, parsed here from the documented layout).
        var committed = await CommittedAsync(group, topic);
        var handled = HandledThrough(topic);
        for (var p = 0; p < Partitions; p++)
        {
            Assert.True(committed[p] <= handled[p] + 1, $"Partition {p}: committed {committed[p]} is past what was handled ({handled[p]}): records were skipped.");
        }

        var firstRunVerified = handled.Sum(h => h + 1); // it read every partition from offset 0, in order
        Assert.True(lastSeen.Verified <= firstRunVerified, $"The first run reported {lastSeen.Verified} verified but its file says {firstRunVerified}.");
        Assert.Equal(0, lastSeen.Gaps);
        var expectedRedelivered = Enumerable.Range(0, Partitions).Sum(p => Math.Max(0, handled[p] - committed[p] + 1));
        Assert.True(expectedRedelivered > 0, "The kill came right after a commit: nothing to read again, so nothing was tested.");

        // Second run: same group, same instance. It resumes at the committed offsets.
        await producer.ProducerFinished().WaitAsync(Deadline, cancel);
        var sent = producer.ProducerMetrics();
        Assert.Equal(count, sent.Acked);
        Assert.Equal(0, sent.Failed);
        var ends = EndOffsets(topic);
        Assert.Equal(count, ends.Sum());
        var toRead = Enumerable.Range(0, Partitions).Sum(p => ends[p] - Math.Max(committed[p], 0));

        using var second = StartConsumer(topic, group);
        await second.WaitHealthyAsync(Deadline);
        ConsumerStats? after = null;
        await Eventually.TrueAsync(async () => (after = await StatsAsync(second)) is { } s && s.Received >= toRead, Deadline, "The second run did not read to the end.");
        await Task.Delay(500, cancel);
        after = await StatsAsync(second);

        Assert.Equal(toRead, after!.Received);
        Assert.Equal(toRead, after.Verified);
        Assert.Equal(expectedRedelivered, after.Redelivered);
        Assert.Equal(0, after.Gaps);
        Assert.Equal(0, after.Duplicates);
        Assert.Equal(0, after.IntegrityFailures.Total);

        // Together the two runs verified every acknowledged message; what both verified is
        // exactly what the second reported as redelivered.
        Assert.Equal(count, firstRunVerified + after.Verified - after.Redelivered);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"acknowledged {sent.Acked}, failed {sent.Failed}; first run verified {firstRunVerified} (last reported {lastSeen.Verified}), killed; second run verified {after.Verified}, redelivered {after.Redelivered}, gaps {after.Gaps}, duplicates {after.Duplicates}; union {firstRunVerified + after.Verified - after.Redelivered}"));
        await producer.StopAsync(cancel);
    }

    [Fact]
    public async Task A_producer_restarted_mid_stream_starts_a_new_epoch_and_leaves_no_false_gap()
    {
        var cancel = TestContext.Current.CancellationToken;
        var topic = embedded.NewTopic(Partitions);
        using var consumer = DemoServices.Consumer(embedded.BootstrapServers, topic, count: 0);
        await consumer.StartAndJoinAsync(Deadline);

        // The same instance name twice: the same producer id, and a new epoch for the new process.
        long firstAcked, firstEpoch;
        using (var first = DemoServices.Producer(embedded.BootstrapServers, topic, count: 0, rate: 2000, "it-restarted"))
        {
            await first.StartAsync(cancel);
            await Eventually.TrueAsync(() => first.ProducerMetrics().Acked >= 3_000, Deadline, "The first run never got going.");
            await first.StopAsync(cancel); // mid-stream: it flushes what is in flight
            var stats = first.ProducerMetrics().Snapshot();
            Assert.Equal(0, stats.Failed);
            Assert.Equal(stats.Sent, stats.Acked);
            (firstAcked, firstEpoch) = (stats.Acked, stats.Epoch);
        }

        await Task.Delay(5, cancel); // epochs are start times in microseconds
        using var second = DemoServices.Producer(embedded.BootstrapServers, topic, count: 4_000, rate: 2000, "it-restarted");
        await second.StartAsync(cancel);
        await second.ProducerFinished().WaitAsync(Deadline, cancel);
        var secondStats = second.ProducerMetrics().Snapshot();
        Assert.Equal(4_000, secondStats.Acked);
        Assert.True(secondStats.Epoch > firstEpoch, "The restarted producer kept its old epoch.");

        var metrics = consumer.ConsumerMetrics();
        await Eventually.TrueAsync(() => metrics.Verified >= firstAcked + 4_000, Deadline, "Not every acknowledged message was verified.");
        await Task.Delay(500, cancel);
        var counts = metrics.Tracker.Counts;
        Assert.Equal(firstAcked + 4_000, metrics.Verified);
        Assert.Equal(1, counts.ProducerRestarts);
        Assert.Equal(0, counts.Gaps);
        Assert.Equal(0, counts.Duplicates);
        Assert.Equal(0, counts.OutOfOrder);
        Assert.Equal(2 * Partitions, counts.Streams); // one stream per partition per epoch
        await second.StopAsync(cancel);
        await consumer.StopAsync(cancel);
    }

    private ServiceProcess StartConsumer(string topic, string group) => ServiceProcess.Start(
        "KafkaDemo.Consumer",
        [
            $"--ConnectionStrings:kafka={embedded.BootstrapServers}",
            $"--Consumer:Topics={topic}",
            $"--Consumer:GroupId={group}",
            "--Consumer:InstanceId=it-killed",
            $"--Consumer:StateDirectory={_state}",
            "--Aspire:Confluent:Kafka:Consumer:Config:FetchWaitMaxMs=1",
            // The killed member leaves no goodbye: the group waits out its session before it
            // hands the partitions on. 6 s (Kafka's minimum) instead of 45 s.
            "--Aspire:Confluent:Kafka:Consumer:Config:SessionTimeoutMs=6000",
            "--Aspire:Confluent:Kafka:Consumer:Config:HeartbeatIntervalMs=1000",
        ],
        new Dictionary<string, string>
        {
            ["Messaging__HmacSecret"] = DemoServices.Secret,
            ["Logging__LogLevel__Default"] = "Warning",
            ["OTEL_SERVICE_NAME"] = "it-killed",
        });

    private static async Task<ConsumerStats?> StatsAsync(ServiceProcess consumer)
    {
        try
        {
            return await consumer.Http.GetFromJsonAsync<ConsumerStats>("/api/stats", TestContext.Current.CancellationToken);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private async Task<long[]> CommittedAsync(string group, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = embedded.BootstrapServers }).Build();
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)).ToList();
        var result = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, partitions)]);
        return [.. result.Single().Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value)];
    }

    private long[] EndOffsets(string topic)
    {
        using var reader = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = embedded.BootstrapServers, GroupId = "it-ends" }).Build();
        return [.. Enumerable.Range(0, Partitions).Select(p => reader.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value)];
    }

    /// <summary>
    /// The highest offset the first run handled per partition, read from its positions file as
    /// KafkaDemo.Consumer/Positions/ReadPositions.cs documents it: 16-byte header, then 32-byte
    /// slots (FNV-1a 64 topic hash, int32 partition, 4 reserved, int64 handled, int64 committed), little-endian.
    /// </summary>
    private long[] HandledThrough(string topic)
    {
        var file = Assert.Single(Directory.GetFiles(_state, "*.positions"));
        var bytes = File.ReadAllBytes(file);
        Assert.Equal("KDRP"u8.ToArray(), bytes[..4]);
        var hash = 14695981039346656037UL;
        foreach (var c in topic)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        var handled = Enumerable.Repeat(-1L, Partitions).ToArray();
        for (var slot = 16; slot + 32 <= bytes.Length; slot += 32)
        {
            if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(slot)) == hash)
            {
                handled[BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(slot + 8))] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(slot + 16));
            }
        }

        Assert.All(handled, h => Assert.True(h >= 0, "A partition the first run read is missing from its positions file."));
        return handled;
    }
}
