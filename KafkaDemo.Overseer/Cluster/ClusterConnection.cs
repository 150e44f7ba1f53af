using k8s;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Cluster;

/// <summary>The Kubernetes API of the cluster Kafka runs in, through KubernetesClient, when there is one.</summary>
public sealed class ClusterConnection(IOptions<ClusterOptions> options) : IDisposable
{
    private readonly Lazy<IKubernetes?> _client = new(() =>
        options.Value.Enabled ? new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Value.Kubeconfig)) : null);

    public ClusterOptions Options => options.Value;

    /// <summary>The client, or null when no cluster is configured.</summary>
    public IKubernetes? Client => _client.Value;

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value?.Dispose();
        }
    }
}
