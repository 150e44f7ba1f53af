using KafkaDemo.AppHost.ExistingCluster;
using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Kubernetes;

namespace KafkaDemo.AppHost.Placement;

/// <summary>
/// The cluster the load's Deployments run in and what differs between the two kinds: where the
/// images go, which Kafka resource gives the bootstrap servers, and whether the pods' telemetry can
/// be forwarded (only from the k3d network, whose gateway the AppHost listens on).
/// </summary>
/// <param name="Cluster">The cluster (the Deployments' parent in the dashboard).</param>
/// <param name="Images">Where the images go: k3d image import, or a registry push.</param>
/// <param name="TelemetryNetworkOf">The k3d cluster whose network the OTLP forwarder binds; null: the pods send no telemetry.</param>
public sealed record LoadTarget(IDemoCluster Cluster, ImageDestination Images, string? TelemetryNetworkOf)
{
    /// <summary>The docker-registry Secret in the load's namespace the pods pull their images with (KafkaDemo:External:ImagePullSecret); null: none.</summary>
    public string? ImagePullSecret { get; init; }

    /// <summary>The Kafka resource whose internal listener the pods use: the cluster's (<see cref="IDemoCluster.Kafka"/>).</summary>
    public KafkaTarget Kafka => Cluster.Kafka;

    /// <summary>The k3d cluster: images imported, Kafka kafka/kafkademo, telemetry through the forwarder.</summary>
    public static LoadTarget K3d(K3dClusterResource cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var name = cluster.Settings.ClusterName;
        return new(cluster, new K3dImport(name), name);
    }

    /// <summary>
    /// An existing cluster: images pushed to <paramref name="registry"/> (and pulled with <paramref name="imagePullSecret"/>,
    /// if given), the configured Kafka, no telemetry forwarding.
    /// </summary>
    public static LoadTarget Existing(ExistingClusterResource cluster, string registry, string? imagePullSecret = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return new(cluster, new RegistryPush(registry), TelemetryNetworkOf: null)
        {
            ImagePullSecret = string.IsNullOrWhiteSpace(imagePullSecret) ? null : imagePullSecret,
        };
    }
}
