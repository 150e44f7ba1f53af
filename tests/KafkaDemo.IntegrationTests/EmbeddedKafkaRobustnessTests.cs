extern alias embedded;

using Confluent.Kafka;
using embedded::KafkaDemo.EmbeddedKafka.Cluster;
using KafkaDemo.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KafkaDemo.IntegrationTests;

/// <summary>Failures inside the embedded Kafka that must not end its process.</summary>
public sealed class EmbeddedKafkaRobustnessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_logger_that_throws_inside_librdkafkas_log_callback_does_not_end_the_process()
    {
        var failedBefore = EmbeddedKafkaCluster.FailedLogLines;

        // librdkafka calls back into .NET from its own threads for every log line; an exception
        // thrown back into native code would end the process at once. "mock,broker" makes it log a lot.
        using (var cluster = EmbeddedKafkaCluster.Start(
            new EmbeddedKafkaOptions { Port = 0, Brokers = 3, Topics = "noisy", Partitions = 3, RetentionSeconds = 0, Debug = "mock,broker" },
            new ThrowingLogger()))
        {
            cluster.SetBrokerDown(1);
            cluster.SetBrokerUp(1);
            await Eventually.TrueAsync(() => EmbeddedKafkaCluster.FailedLogLines > failedBefore, Deadline, "librdkafka logged nothing.");

            using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build();
            var result = await producer.ProduceAsync("noisy", new Message<Null, string> { Value = "still here" }, TestContext.Current.CancellationToken);
            Assert.Equal(PersistenceStatus.Persisted, result.Status);
        }

        Assert.True(EmbeddedKafkaCluster.FailedLogLines > failedBefore);
    }

    [Fact]
    public async Task A_failing_retention_pass_is_logged_and_retention_goes_on_once_the_cluster_is_there()
    {
        var options = new EmbeddedKafkaOptions { Port = 0, Brokers = 1, ReplicationFactor = 1, Topics = "retained", Partitions = 1, RetentionSeconds = 2 };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        using var service = new EmbeddedKafkaService(Microsoft.Extensions.Options.Options.Create(options), NullLogger<EmbeddedKafkaCluster>.Instance, NullLogger<EmbeddedKafkaService>.Instance);
        using var retention = new LogRetention(service, Microsoft.Extensions.Options.Options.Create(options), clock, loggers.CreateLogger<LogRetention>());

        // The cluster is not running yet: every pass fails. The service must not stop for it.
        await retention.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50, TestContext.Current.CancellationToken);
            return Failures(logs) >= 3;
        }, Deadline, "The failing passes were not logged.");

        Assert.False(retention.ExecuteTask!.IsCompleted, "Retention stopped after a failing pass.");

        // Once the cluster runs, retention deletes what is older than 2 s.
        await service.StartAsync(TestContext.Current.CancellationToken);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = service.Cluster.BootstrapServers }).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync("retained", new Message<Null, string> { Value = "old" }, TestContext.Current.CancellationToken);
            }
        }

        using var reader = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = service.Cluster.BootstrapServers, GroupId = "it-retention" }).Build();
        await Eventually.TrueAsync(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(200, TestContext.Current.CancellationToken);
            return reader.QueryWatermarkOffsets(new TopicPartition("retained", 0), TimeSpan.FromSeconds(5)).Low.Value == 10;
        }, Deadline, "Retention never deleted the old records.");

        Assert.False(retention.ExecuteTask.IsCompleted);
        await retention.StopAsync(TestContext.Current.CancellationToken);
        await service.StopAsync(TestContext.Current.CancellationToken);
    }

    private static int Failures(LogCapture logs) =>
        logs.Lines.Count(l => l.Level == LogLevel.Error && l.Message.Contains("Retention pass failed", StringComparison.Ordinal));

    /// <summary>A log sink that breaks on every line librdkafka itself writes.</summary>
    private sealed class ThrowingLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).StartsWith("librdkafka ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("The log sink is broken.");
            }
        }
    }
}
