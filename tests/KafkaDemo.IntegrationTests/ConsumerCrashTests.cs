using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaDemo.TestSupport;

namespace KafkaDemo.IntegrationTests;

/// <summary>What a consumer that dies while handling a record leaves committed for the next one.</summary>
public sealed class ConsumerCrashTests(EmbeddedCluster embedded) : IClassFixture<EmbeddedCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_consumer_that_fails_while_handling_a_record_leaves_it_to_be_read_again_not_skipped()
    {
        var topic = embedded.NewTopic(partitions: 1);
        var group = $"it-crash-{Guid.NewGuid():N}";
        var clock = new FailingClock();
        using (var first = DemoServices.Consumer(embedded.BootstrapServers, topic, 0, group, clock))
        {
            await first.StartAndJoinAsync(Deadline);
            await ProduceAsync(topic, "it-crash-a", 10);
            await Eventually.TrueAsync(() => first.ConsumerMetrics().Verified == 10, Deadline, "The first ten were not verified.");

            // The next record (offset 10) kills the consume loop halfway through handling it.
            clock.Arm();
            await ProduceAsync(topic, "it-crash-b", 10);
            await first.ConsumerFinished().WaitAsync(Deadline, TestContext.Current.CancellationToken);
            Assert.True(clock.Fired, "The simulated failure never happened.");
            Assert.Equal(10, first.ConsumerMetrics().Verified);
            await first.StopAsync(TestContext.Current.CancellationToken);
        }

        // What it committed on the way out: everything it handled, and not the record it died on.
        Assert.Equal(10, await CommittedAsync(group, topic));

        using var second = DemoServices.Consumer(embedded.BootstrapServers, topic, 0, group, time: null);
        await second.StartAndJoinAsync(Deadline);
        var metrics = second.ConsumerMetrics();
        await Eventually.TrueAsync(() => metrics.Received >= 10, Deadline, "The second consumer read nothing.");
        await Task.Delay(500, TestContext.Current.CancellationToken); // anything more would be a duplicate
        Assert.Equal(10, metrics.Received);
        Assert.Equal(10, metrics.Verified);
        Assert.Equal(0, metrics.Tracker.Counts.Gaps);
        await second.StopAsync(TestContext.Current.CancellationToken);
    }

    private async Task ProduceAsync(string topic, string instance, int count)
    {
        using var producer = DemoServices.Producer(embedded.BootstrapServers, topic, count, rate: 0, instance);
        await producer.StartAsync(TestContext.Current.CancellationToken);
        await producer.ProducerFinished().WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(count, producer.ProducerMetrics().Acked);
        await producer.StopAsync(TestContext.Current.CancellationToken);
    }

    private async Task<long> CommittedAsync(string group, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = embedded.BootstrapServers }).Build();
        var result = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, [new TopicPartition(topic, 0)])]);
        return result.Single().Partitions.Single().Offset.Value;
    }

    /// <summary>The system clock, except that once armed it throws inside the consumer's record handling, once.</summary>
    private sealed class FailingClock : TimeProvider
    {
        private volatile bool _armed;

        public bool Fired { get; private set; }

        public void Arm() => _armed = true;

        public override DateTimeOffset GetUtcNow()
        {
            if (_armed && InHandle())
            {
                _armed = false;
                Fired = true;
                throw new InvalidOperationException("Simulated crash while handling a record.");
            }

            return System.GetUtcNow();
        }

        private static bool InHandle() =>
            new StackTrace().GetFrames().Any(f => f.GetMethod() is { Name: "Handle", DeclaringType.Name: "EnvelopeConsumer" });
    }
}
