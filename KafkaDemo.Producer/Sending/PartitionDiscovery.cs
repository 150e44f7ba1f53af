using Confluent.Kafka;
using KafkaDemo.Messaging.Topics;

namespace KafkaDemo.Producer.Sending;

/// <summary>Asks the cluster how many partitions each topic has, through the producer's own connections.</summary>
public static partial class PartitionDiscovery
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>Waits until every topic exists with at least one partition, or <paramref name="cancellationToken"/> fires.</summary>
    public static IReadOnlyDictionary<string, int> WaitForPartitions(
        IClient producer, TopicSpec topics, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentNullException.ThrowIfNull(topics);
        using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            string? missing = null;
            try
            {
                foreach (var topic in topics.Names)
                {
                    var metadata = admin.GetMetadata(topic, RequestTimeout).Topics.SingleOrDefault(t => t.Topic == topic);
                    if (metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0)
                    {
                        missing = $"{topic} ({metadata?.Error.Reason ?? "not listed"})";
                        break;
                    }

                    counts[topic] = metadata.Partitions.Count;
                }
            }
            catch (KafkaException ex)
            {
                missing = ex.Error.Reason;
            }

            if (missing is null)
            {
                return counts;
            }

            LogWaiting(logger, missing);
            cancellationToken.WaitHandle.WaitOne(RetryDelay);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for the topics to be available: {Missing}")]
    private static partial void LogWaiting(ILogger logger, string missing);
}
