using KafkaDemo.AppHost.Kafka;
using KafkaDemo.Messaging.Topics;

namespace KafkaDemo.AppHost.ExistingCluster;

/// <summary>
/// Kafka in external mode with an existing cluster: the Strimzi Kafka resource
/// <see cref="Namespace"/>/<see cref="KafkaName"/> there, which the AppHost follows but never applies
/// (it applies only the demo's topics, as KafkaTopic resources of that Kafka).
/// Data only; <see cref="ExistingKafkaLifecycle"/> follows it.
/// </summary>
public sealed class ExistingKafkaResource(string name, ExistingClusterResource cluster) : KafkaClusterResource(name, "external")
{
    /// <summary>The cluster it runs in (also its parent in the dashboard, and what it waits for).</summary>
    public ExistingClusterResource Cluster => cluster;

    public string Namespace => cluster.Settings.ResolvedNamespace;

    public string KafkaName => cluster.Settings.ResolvedKafkaName;

    /// <summary>ConnectionStrings:kafka, when given: the bootstrap servers, in place of the Kafka's status.</summary>
    public string? BootstrapOverride { get; init; }

    /// <summary>The demo's topics (KafkaDemo:Topics), applied as KafkaTopic resources (<see cref="ExistingClusterTopics"/>).</summary>
    public required TopicSpec Topics { get; init; }

    /// <summary>Partitions per topic (KafkaDemo:Partitions).</summary>
    public required int Partitions { get; init; }

    /// <summary>KafkaDemo:ReplicationFactor, before it is fitted to the brokers.</summary>
    public required int ReplicationFactor { get; init; }
}
