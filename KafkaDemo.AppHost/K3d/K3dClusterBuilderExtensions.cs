using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace KafkaDemo.AppHost.K3d;

/// <summary>The k3d cluster resource: its services, health check, lifecycle and commands.</summary>
public static class K3dClusterBuilderExtensions
{
    /// <summary>
    /// Adds the k3d cluster. It is created (or started, or reused) when the AppHost starts
    /// (<see cref="K3dClusterLifecycle"/>), counts as healthy while its API server answers
    /// (<see cref="ApiServerHealthCheck"/>), and has the recreate-cluster and delete-cluster commands.
    /// </summary>
    public static IResourceBuilder<K3dClusterResource> AddK3dCluster(this IDistributedApplicationBuilder builder, string name, K3dSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        builder.Services.TryAddSingleton<IProcessRunner, CliProcessRunner>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(sp => new K3dCli(sp.GetRequiredService<IProcessRunner>(), settings));
        builder.Services.TryAddSingleton(sp => new ClusterBringUp(sp.GetRequiredService<K3dCli>(), settings));
        builder.Services.TryAddSingleton<K3dClusterLifecycle>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, K3dClusterExit>());

        var resource = new K3dClusterResource(name, settings);
        var cluster = builder.AddResource(resource)
            .ExcludeFromManifest()
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "k3d cluster",
                // Starting, not NotStarted: the cluster waits for nothing, so Aspire never shows it
                // Waiting, and its bring-up begins at once (Starting is also a state a wait may start from).
                State = new ResourceStateSnapshot(KnownResourceStates.Starting, KnownResourceStateStyles.Info),
                Properties = [new("Cluster", settings.ClusterName), new("Kubeconfig", settings.KubeconfigPath)],
            })
            .OnInitializeResource((r, e, cancellationToken) => e.Services.GetRequiredService<K3dClusterLifecycle>().StartAsync(r, e, cancellationToken));
        ApiServerHealthCheck.Register(cluster);

        cluster.WithCommand("recreate-cluster", "Recreate cluster",
            context => context.Services.GetRequiredService<K3dClusterLifecycle>().RecreateAsync(resource, context.CancellationToken),
            new CommandOptions
            {
                Description = "Deletes the k3d cluster and creates it again; Kafka and the agent are brought up in it again once it runs.",
                ConfirmationMessage = "Delete the cluster, with every message in it, and create it again?",
                IconName = "ArrowCounterclockwise",
                UpdateState = c => Settled(c) ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
            });
        cluster.WithCommand("delete-cluster", "Delete cluster",
            context => context.Services.GetRequiredService<K3dClusterLifecycle>().DeleteAsync(resource, context.CancellationToken),
            new CommandOptions
            {
                Description = "Deletes the k3d cluster (k3d cluster delete).",
                ConfirmationMessage = "Delete the k3d cluster, with every message in it?",
                IconName = "Delete",
                UpdateState = c => Settled(c) && c.ResourceSnapshot.State?.Text != K3dStates.Deleted ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
            });
        return cluster;
    }

    /// <summary>Not while a bring-up or another command is under way.</summary>
    private static bool Settled(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.State?.Text is { } state
        && (state == KnownResourceStates.Running || state == KnownResourceStates.FailedToStart || state == K3dStates.Deleted);
}
