using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.OverseerIdentity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaDemo.AppHost.ExistingCluster;

/// <summary>The <c>kafka</c> resource in an existing cluster.</summary>
public static class ExistingKafkaBuilderExtensions
{
    /// <summary>
    /// Adds the Kafka of KafkaDemo:External:Namespace/KafkaName in <paramref name="cluster"/>: once the
    /// cluster is checked (WaitFor), followed until Ready (<see cref="ExistingKafkaLifecycle"/>). If
    /// the cluster fails its check, Kafka fails with it, naming it (StopOnResourceUnavailable); when it
    /// is checked again, Kafka waits for it again.
    /// </summary>
    /// <param name="bootstrapOverride">ConnectionStrings:kafka, or null: the bootstrap servers then come from the Kafka's status.</param>
    /// <param name="withOverseerIdentity">Whether to set up the Overseer's identity (k3d/overseer) in the cluster.</param>
    public static IResourceBuilder<ExistingKafkaResource> AddExistingKafka(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<ExistingClusterResource> cluster, string? bootstrapOverride, bool withOverseerIdentity, string reason)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(cluster);
        var resource = cluster.Resource;
        builder.Services.TryAddSingleton(sp => new OverseerCredentials(resource.OverseerKubeconfigPath, resource.Context, resource.Settings.ResolvedNamespace, sp.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddSingleton<DependencyGate>();
        builder.Services.TryAddSingleton<ExistingKafkaLifecycle>();
        return builder.AddKafkaCluster(new ExistingKafkaResource(name, resource) { BootstrapOverride = bootstrapOverride, WithOverseerIdentity = withOverseerIdentity }, reason)
            .WithParentRelationship(cluster)
            .WaitFor(cluster, WaitBehavior.StopOnResourceUnavailable)
            .OnInitializeResource((r, e, cancellationToken) => e.Services.GetRequiredService<ExistingKafkaLifecycle>().RunAsync(r, e, cancellationToken));
    }
}
