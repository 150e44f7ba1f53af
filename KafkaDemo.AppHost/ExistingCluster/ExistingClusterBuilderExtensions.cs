using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaDemo.AppHost.ExistingCluster;

/// <summary>The existing cluster resource: its lifecycle, health check and check-again command.</summary>
public static class ExistingClusterBuilderExtensions
{
    /// <summary>
    /// Adds the cluster of KafkaDemo:External:Kubeconfig: checked at start (<see cref="ExistingClusterLifecycle"/>:
    /// the API server answers, Strimzi's CRDs are there), healthy while its API server answers
    /// (<see cref="ApiServerHealthCheck"/>). No create, no delete, no operator install.
    /// </summary>
    /// <param name="stateDirectory">The AppHost's state folder, where the Overseer's kubeconfig goes.</param>
    public static IResourceBuilder<ExistingClusterResource> AddExistingCluster(this IDistributedApplicationBuilder builder, string name, ExternalSettings settings, string stateDirectory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ExistingClusterLifecycle>();
        var resource = new ExistingClusterResource(name, settings, Path.Combine(stateDirectory, $"{name}-overseer.kubeconfig"));
        var cluster = builder.AddResource(resource)
            .ExcludeFromManifest()
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Kubernetes cluster",
                // Starting, as the k3d cluster: it waits for nothing, and its check begins at once.
                State = new ResourceStateSnapshot(KnownResourceStates.Starting, KnownResourceStateStyles.Info),
                Properties = [new("Kubeconfig", resource.KubeconfigPath), new("Context", resource.Context ?? "(current-context)")],
            })
            .OnInitializeResource((r, e, cancellationToken) => e.Services.GetRequiredService<ExistingClusterLifecycle>().StartAsync(r, e, cancellationToken));
        ApiServerHealthCheck.Register(cluster);
        cluster.WithCommand("check-again", "Check again",
            context => context.Services.GetRequiredService<ExistingClusterLifecycle>().CheckAgainAsync(resource, context.CancellationToken),
            new CommandOptions
            {
                Description = "Checks the cluster again (its API server, Strimzi's CRDs), after Strimzi was installed or the kubeconfig's rights changed; Kafka follows.",
                IconName = "ArrowSync",
                UpdateState = c => c.ResourceSnapshot.State?.Text is { } s && (s == KnownResourceStates.Running || s == KnownResourceStates.FailedToStart)
                    ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
            });
        return cluster;
    }
}
