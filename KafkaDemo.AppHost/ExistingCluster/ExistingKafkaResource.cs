using KafkaDemo.AppHost.Kafka;

namespace KafkaDemo.AppHost.ExistingCluster;

/// <summary>
/// Kafka in external mode with an existing cluster: the Strimzi Kafka resource
/// <see cref="Namespace"/>/<see cref="KafkaName"/> there, which the AppHost follows but never applies.
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

    /// <summary>Whether the Overseer's identity (k3d/overseer) is set up in the cluster for the Overseer's watch and the agent.</summary>
    public bool WithOverseerIdentity { get; init; }
}
