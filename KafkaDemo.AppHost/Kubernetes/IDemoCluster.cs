namespace KafkaDemo.AppHost.Kubernetes;

/// <summary>
/// The Kubernetes cluster the demo uses, whoever made it: the k3d cluster the AppHost creates, or an
/// existing one it is given (external mode with a kubeconfig). Kafka's watch, the Overseer's identity,
/// the agent and the cluster's health check take either.
/// </summary>
public interface IDemoCluster : IResource
{
    /// <summary>The kubeconfig the AppHost reaches the cluster with (k3d's: one it wrote; an existing cluster's: the user's, only read).</summary>
    string KubeconfigPath { get; }

    /// <summary>The kubeconfig's context to use; null: its current-context.</summary>
    string? Context { get; }

    /// <summary>The kubeconfig the Overseer gets (its own service account, least privilege), in the AppHost's state folder.</summary>
    string OverseerKubeconfigPath { get; }

    /// <summary>The key of the cluster's health check (<see cref="ApiServerHealthCheck"/>).</summary>
    string HealthCheckKey { get; }

    /// <summary>The cluster in a sentence, for messages: "The k3d cluster".</summary>
    string Description { get; }

    /// <summary>
    /// Where the demo's Kafka is in the cluster, which the Overseer's and the agent's Roles name: k3d's
    /// kafka/kafkademo, or KafkaDemo:External:Namespace/KafkaName in an existing cluster.
    /// </summary>
    KafkaTarget Kafka => KafkaTarget.Default;
}

/// <summary>What every <see cref="IDemoCluster"/> does the same way.</summary>
public static class DemoClusterConnection
{
    /// <summary>A client for the cluster, through its kubeconfig and context.</summary>
    public static KubernetesApi Connect(this IDemoCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return KubernetesApi.FromKubeconfig(cluster.KubeconfigPath, cluster.Context);
    }
}
