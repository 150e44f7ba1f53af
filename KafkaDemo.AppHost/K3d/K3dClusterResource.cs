using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Settings;

namespace KafkaDemo.AppHost.K3d;

/// <summary>The k3d cluster: a Kubernetes cluster in Docker containers, which Kafka (Strimzi) runs in. Data only; <see cref="K3dClusterLifecycle"/> brings it up.</summary>
public sealed class K3dClusterResource(string name, K3dSettings settings) : Resource(name), IDemoCluster
{
    public K3dSettings Settings => settings;

    /// <summary>The kubeconfig written for this cluster (never the user's own).</summary>
    public string KubeconfigPath => settings.KubeconfigPath;

    /// <summary>The kubeconfig the Overseer gets: its own service account, least privilege, with a token the AppHost renews.</summary>
    public string OverseerKubeconfigPath => settings.OverseerKubeconfigPath;

    /// <summary>The key of this cluster's health check (<see cref="ApiServerHealthCheck"/>).</summary>
    public string HealthCheckKey => $"{Name}_check";

    /// <summary>k3d's kubeconfig has the one context, current.</summary>
    public string? Context => null;

    public string Description => "The k3d cluster";
}
