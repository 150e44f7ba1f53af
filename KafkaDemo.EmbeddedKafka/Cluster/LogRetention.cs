using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaDemo.Messaging.Topics;
using Microsoft.Extensions.Options;

namespace KafkaDemo.EmbeddedKafka.Cluster;

/// <summary>
/// Time-based retention for the embedded cluster (<see cref="EmbeddedKafkaOptions.RetentionSeconds"/>).
/// Once a second it reads every partition's end offset, and deletes the records that were already
/// written <c>RetentionSeconds</c> ago. A pass that fails, for whatever reason, is logged and the
/// next one tries again: retention never takes the process down.
/// </summary>
public sealed partial class LogRetention(
    EmbeddedKafkaService service,
    IOptions<EmbeddedKafkaOptions> options,
    TimeProvider time,
    ILogger<LogRetention> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly Dictionary<TopicPartition, OffsetHistory> _history = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.RetentionSeconds == 0)
        {
            return;
        }

        var partitions = TopicSpec.Parse(settings.Topics).Names
            .SelectMany(t => Enumerable.Range(0, settings.Partitions).Select(p => new TopicPartition(t, p)))
            .Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = OffsetSpec.Latest() })
            .ToList();
        using var timer = new PeriodicTimer(Period, time);
        var retention = TimeSpan.FromSeconds(settings.RetentionSeconds);
        LogEnabled(logger, settings.RetentionSeconds);
        IAdminClient? admin = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var cluster = service.Cluster;
                    admin ??= new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers, ClientId = "kafkademo-embedded-retention" })
                        .SetLogHandler((_, _) => { })
                        .Build();
                    var result = await admin.ListOffsetsAsync(partitions, new ListOffsetsOptions { RequestTimeout = TimeSpan.FromSeconds(2) });
                    Apply(cluster, result.ResultInfos.Select(r => r.TopicPartitionOffsetError), time.GetUtcNow(), retention);
                }
                catch (KafkaException ex)
                {
                    // A broker may be down on purpose (fault injection); try again next time.
                    LogSkipped(logger, ex.Message);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Anything else (the cluster not there yet or going away, a mock API error) is
                    // logged; the next pass tries again.
                    LogPassFailed(logger, ex);
                }
            }
        }
        finally
        {
            admin?.Dispose();
        }
    }

    /// <summary>Records the end offsets seen now and deletes what fell out of the retention window.</summary>
    internal void Apply(EmbeddedKafkaCluster cluster, IEnumerable<TopicPartitionOffsetError> ends, DateTimeOffset now, TimeSpan retention)
    {
        foreach (var end in ends)
        {
            if (end.Error.IsError || end.Offset.Value < 0)
            {
                continue;
            }

            if (!_history.TryGetValue(end.TopicPartition, out var history))
            {
                history = new OffsetHistory();
                _history[end.TopicPartition] = history;
            }

            if (history.Observe(now, end.Offset.Value, retention) is { } before)
            {
                cluster.DeleteRecords(end.Topic, end.Partition.Value, before);
            }
        }
    }

    /// <summary>End offsets of one partition over the retention window.</summary>
    internal sealed class OffsetHistory
    {
        private readonly Queue<(DateTimeOffset At, long End)> _seen = new();
        private long _deletedBefore;

        /// <returns>The offset to delete before, or null when nothing new is due.</returns>
        public long? Observe(DateTimeOffset now, long end, TimeSpan retention)
        {
            _seen.Enqueue((now, end));
            long? expired = null;
            while (_seen.Count > 0 && _seen.Peek().At <= now - retention)
            {
                expired = _seen.Dequeue().End;
            }

            if (expired is not { } before || before <= _deletedBefore)
            {
                return null;
            }

            _deletedBefore = before;
            return before;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: records older than {Seconds} s are deleted")]
    private static partial void LogEnabled(ILogger logger, int seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention pass failed; the next one tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retention pass skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string reason);
}
