using KafkaDemo.AppHost.Agent;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.OverseerIdentity;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Strimzi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.K3dMode;

/// <summary>
/// The k3d mode: Kafka (Strimzi) in the k3d cluster, brought up with the Overseer's identity and the
/// agent by <see cref="K3dEnvironment"/>, and the cluster's and Kafka's dashboard commands.
/// </summary>
public static class K3dModeBuilderExtensions
{
    /// <summary>
    /// Makes <paramref name="kafka"/> the Strimzi Kafka in <paramref name="cluster"/>: the operator is
    /// installed, the cluster and topics applied, and the bootstrap servers read from the Kafka
    /// resource's status once it is Ready.
    /// </summary>
    public static IResourceBuilder<KafkaClusterResource> WithK3dKafka(
        this IResourceBuilder<KafkaClusterResource> kafka, IResourceBuilder<K3dClusterResource> cluster, KafkaDemoSettings settings)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(settings);
        var services = kafka.ApplicationBuilder.Services;
        var layout = KafkaLayout.From(settings);
        services.TryAddSingleton(sp => new KafkaBringUp(layout, new HttpClient { Timeout = TimeSpan.FromMinutes(2) }, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new OverseerCredentials(settings.K3d, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new K3dEnvironment(
            cluster.Resource,
            kafka.Resource,
            sp.GetRequiredService<ClusterBringUp>(),
            sp.GetRequiredService<KafkaBringUp>(),
            sp.GetRequiredService<K3dCli>(),
            sp.GetRequiredService<ResourceNotificationService>(),
            sp.GetRequiredService<ResourceLoggerService>(),
            sp.GetRequiredService<ILogger<K3dEnvironment>>(),
            sp.GetService<VibectlAgentResource>(),
            sp.GetService<AgentBringUp>(),
            sp.GetRequiredService<OverseerCredentials>()));
        services.AddHostedService<K3dExitCleanup>();

        kafka.ApplicationBuilder.Eventing.Subscribe<InitializeResourceEvent>(cluster.Resource, (e, cancellationToken) =>
            e.Services.GetRequiredService<K3dEnvironment>().BringUpAsync(cancellationToken));

        cluster.WithCommand("recreate-cluster", "Recreate cluster",
            context => context.Services.GetRequiredService<K3dEnvironment>().RecreateAsync(context.CancellationToken),
            new CommandOptions
            {
                Description = "Deletes the k3d cluster and creates it again, with Strimzi and Kafka.",
                ConfirmationMessage = "Delete the cluster, with every message in it, and create it again?",
                IconName = "ArrowCounterclockwise",
                UpdateState = c => Settled(c) ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
            });
        cluster.WithCommand("delete-cluster", "Delete cluster",
            context => context.Services.GetRequiredService<K3dEnvironment>().DeleteAsync(context.CancellationToken),
            new CommandOptions
            {
                Description = "Deletes the k3d cluster (k3d cluster delete).",
                ConfirmationMessage = "Delete the k3d cluster, with every message in it?",
                IconName = "Delete",
                UpdateState = c => Settled(c) && c.ResourceSnapshot.State?.Text != K3dStates.Deleted ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
            });
        kafka.WithCommand("restart-brokers", "Restart Kafka brokers",
            context => context.Services.GetRequiredService<K3dEnvironment>().RestartBrokersAsync(context.CancellationToken),
            new CommandOptions
            {
                Description = "A rolling restart through Strimzi: one broker at a time, so producing with acks=all goes on.",
                IconName = "ArrowSync",
                UpdateState = c => c.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
            });
        return kafka.WaitFor(cluster);
    }

    /// <summary>Not while a bring-up or another command is under way.</summary>
    private static bool Settled(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.State?.Text is { } state
        && (state == KnownResourceStates.Running || state == KnownResourceStates.FailedToStart || state == K3dStates.Deleted);

    /// <summary>On AppHost shutdown: keeps the cluster (the default) or deletes it.</summary>
    private sealed class K3dExitCleanup(K3dEnvironment environment) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => environment.DeleteOnExitAsync(cancellationToken);
    }
}
