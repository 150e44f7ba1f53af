using k8s;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Settings;

namespace KafkaDemo.AppHost.ExistingCluster;

/// <summary>
/// A Kubernetes cluster the AppHost is given (KafkaDemo:External:Kubeconfig) and never creates,
/// deletes or installs an operator in. Data only; <see cref="ExistingClusterLifecycle"/> checks it.
/// </summary>
/// <param name="name">The resource's name.</param>
/// <param name="settings">KafkaDemo:External, with a kubeconfig.</param>
/// <param name="overseerKubeconfigPath">Where the Overseer's own kubeconfig is written: the AppHost's state folder, never beside the user's.</param>
public sealed class ExistingClusterResource(string name, ExternalSettings settings, string overseerKubeconfigPath) : Resource(name), IDemoCluster
{
    public ExternalSettings Settings => settings;

    /// <summary>The user's kubeconfig: only ever read.</summary>
    public string KubeconfigPath => settings.ResolvedKubeconfig ?? throw new InvalidOperationException("An existing cluster needs KafkaDemo:External:Kubeconfig.");

    public string? Context => string.IsNullOrWhiteSpace(settings.Context) ? null : settings.Context;

    public string OverseerKubeconfigPath => overseerKubeconfigPath;

    public string HealthCheckKey => $"{Name}_check";

    public string Description => "The cluster";

    /// <summary>KafkaDemo:External:Namespace/KafkaName (kafka/kafkademo unless set).</summary>
    public KafkaTarget Kafka => new(settings.ResolvedNamespace, settings.ResolvedKafkaName);

    /// <summary>The cluster in words for messages: its context, as the kubeconfig names it.</summary>
    public string Where()
    {
        try
        {
            var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath, currentContext: Context);
            return $"context {configuration.CurrentContext} of {KubeconfigPath}";
        }
        catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException)
        {
            return Context is null ? KubeconfigPath : $"context {Context} of {KubeconfigPath}";
        }
    }
}
