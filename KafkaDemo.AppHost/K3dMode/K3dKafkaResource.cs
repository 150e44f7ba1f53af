using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Kafka;

namespace KafkaDemo.AppHost.K3dMode;

/// <summary>Kafka in k3d mode: Strimzi's Kafka in <see cref="Cluster"/>. Data only; <see cref="K3dKafkaLifecycle"/> brings it up.</summary>
public sealed class K3dKafkaResource(string name, K3dClusterResource cluster) : KafkaClusterResource(name, "k3d")
{
    /// <summary>The cluster it runs in (also its parent in the dashboard, and what it waits for).</summary>
    public K3dClusterResource Cluster => cluster;
}
