namespace KafkaDemo.Messaging.Limits;

/// <summary>
/// How big a Kafka the demo sets up, written once: the AppHost's <c>KafkaDemo</c> section (embedded
/// and k3d) and the embedded Kafka's <c>EmbeddedKafka</c> section both check against these.
/// </summary>
public static class ClusterLimits
{
    /// <summary>Most brokers, and so most replicas of a partition.</summary>
    public const int MaxBrokers = 9;

    /// <summary>Most partitions of one topic.</summary>
    public const int MaxPartitions = 1000;
}
