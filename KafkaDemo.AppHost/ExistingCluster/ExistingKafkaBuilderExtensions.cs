using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.OverseerIdentity;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.Messaging.Topics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaDemo.AppHost.ExistingCluster;

/// <summary>The <c>kafka</c> resource in an existing cluster.</summary>
public static class ExistingKafkaBuilderExtensions
{
    /// <summary>
    /// Adds the Kafka of KafkaDemo:External:Namespace/KafkaName in <paramref name="cluster"/>: once the
    /// cluster is checked (WaitFor), followed until Ready, the demo's topics applied as its KafkaTopics
    /// and followed until Ready, the Overseer's identity set up with Roles that name it
    /// (<see cref="ExistingKafkaLifecycle"/>). If the cluster fails its check, Kafka fails with it,
    /// naming it (StopOnResourceUnavailable); when it is checked again, Kafka waits for it again.
    /// </summary>
    /// <param name="bootstrapOverride">ConnectionStrings:kafka, or null: the bootstrap servers then come from the Kafka's status.</param>
    /// <param name="settings">KafkaDemo: the topics, partitions and replication factor.</param>
    public static IResourceBuilder<ExistingKafkaResource> AddExistingKafka(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<ExistingClusterResource> cluster, string? bootstrapOverride, KafkaDemoSettings settings, string reason)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(settings);
        var resource = cluster.Resource;
        builder.Services.TryAddSingleton(sp => new OverseerCredentials(resource.OverseerKubeconfigPath, resource.Context, resource.Kafka, sp.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddSingleton<DependencyGate>();
        builder.Services.TryAddSingleton<ExistingKafkaLifecycle>();
        var kafka = new ExistingKafkaResource(name, resource)
        {
            BootstrapOverride = bootstrapOverride,
            Topics = TopicSpec.Parse(settings.Topics),
            Partitions = settings.Partitions,
            ReplicationFactor = settings.ReplicationFactor,
        };
        return builder.AddKafkaCluster(kafka, reason)
            .WithParentRelationship(cluster)
            .WaitFor(cluster, WaitBehavior.StopOnResourceUnavailable)
            .OnInitializeResource((r, e, cancellationToken) => e.Services.GetRequiredService<ExistingKafkaLifecycle>().RunAsync(r, e, cancellationToken));
    }
}
