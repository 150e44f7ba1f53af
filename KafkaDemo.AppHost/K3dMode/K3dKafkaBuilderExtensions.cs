using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.OverseerIdentity;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Strimzi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaDemo.AppHost.K3dMode;

/// <summary>The <c>kafka</c> resource in k3d mode: Strimzi's Kafka in the k3d cluster, with the Overseer's identity.</summary>
public static class K3dKafkaBuilderExtensions
{
    /// <summary>
    /// Adds Kafka in <paramref name="cluster"/>: once the cluster is Running and its API server
    /// answers (WaitFor), the operator is installed, the cluster and topics applied, the bootstrap
    /// servers read from the Kafka resource's status once it is Ready, and the Overseer's identity set
    /// up. If the cluster fails, Kafka fails with it, naming it (StopOnResourceUnavailable, whether or
    /// not the dashboard runs); when the cluster is recreated, Kafka waits for it again.
    /// </summary>
    public static IResourceBuilder<K3dKafkaResource> AddK3dKafka(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<K3dClusterResource> cluster, KafkaDemoSettings settings, string reason)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(settings);
        var layout = KafkaLayout.From(settings);
        builder.Services.TryAddSingleton(sp => new KafkaBringUp(layout, new HttpClient { Timeout = TimeSpan.FromMinutes(2) }, sp.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddSingleton(sp => new OverseerCredentials(settings.K3d, sp.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddSingleton<DependencyGate>();
        builder.Services.TryAddSingleton<K3dKafkaLifecycle>();

        var kafka = builder.AddKafkaCluster(new K3dKafkaResource(name, cluster.Resource), reason)
            .WithParentRelationship(cluster)
            .WaitFor(cluster, WaitBehavior.StopOnResourceUnavailable)
            .OnInitializeResource((r, e, cancellationToken) => e.Services.GetRequiredService<K3dKafkaLifecycle>().RunAsync(r, e, cancellationToken));
        kafka.WithCommand("restart-brokers", "Restart Kafka brokers",
            context => context.Services.GetRequiredService<K3dKafkaLifecycle>().RestartBrokersAsync(kafka.Resource, context.CancellationToken),
            new CommandOptions
            {
                Description = "A rolling restart through Strimzi: one broker at a time, so producing with acks=all goes on.",
                IconName = "ArrowSync",
                UpdateState = c => c.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
            });
        return kafka;
    }
}
