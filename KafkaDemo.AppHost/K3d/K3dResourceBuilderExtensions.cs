using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaDemo.AppHost.K3d;

/// <summary>The k3d cluster resource.</summary>
public static class K3dResourceBuilderExtensions
{
    /// <summary>Adds the k3d cluster. It is created (or reused) when the AppHost starts.</summary>
    public static IResourceBuilder<K3dClusterResource> AddK3dCluster(this IDistributedApplicationBuilder builder, string name, K3dSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        builder.Services.TryAddSingleton<IProcessRunner, CliProcessRunner>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(sp => new K3dCli(sp.GetRequiredService<IProcessRunner>(), settings));
        builder.Services.TryAddSingleton(sp => new ClusterBringUp(sp.GetRequiredService<K3dCli>(), settings));
        return builder.AddResource(new K3dClusterResource(name, settings))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "k3d cluster",
                State = new ResourceStateSnapshot(KnownResourceStates.Starting, KnownResourceStateStyles.Info),
                Properties = [new("Cluster", settings.ClusterName), new("Kubeconfig", settings.KubeconfigPath)],
            });
    }
}
