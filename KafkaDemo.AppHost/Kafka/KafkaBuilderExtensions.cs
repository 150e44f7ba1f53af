using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaDemo.AppHost.Kafka;

/// <summary>What the <c>kafka</c> resource is in every mode: its dashboard entry and its health check.</summary>
public static class KafkaBuilderExtensions
{
    /// <summary>
    /// Adds <paramref name="kafka"/> NotStarted (so Aspire can show it Waiting for what it waits for),
    /// kept out of the manifest (it runs only under this AppHost), with <see cref="KafkaHealthCheck"/>
    /// registered for it alone under <see cref="KafkaClusterResource.HealthCheckKey"/>: a check
    /// registered per resource, as Aspire.Hosting.Kafka's AddKafka does, so its WaitFor honours it.
    /// </summary>
    public static IResourceBuilder<T> AddKafkaCluster<T>(this IDistributedApplicationBuilder builder, T kafka, string reason)
        where T : KafkaClusterResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(kafka);
        KafkaHealthCheck? check = null; // one per resource, so it logs only the changes
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(kafka.HealthCheckKey,
            sp => check ??= new KafkaHealthCheck(kafka, sp.GetRequiredService<ResourceLoggerService>().GetLogger(kafka)), failureStatus: null, tags: null));
        return builder.AddResource(kafka)
            .ExcludeFromManifest()
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Kafka",
                State = KnownResourceStates.NotStarted,
                Properties = [new("Mode", kafka.Mode), new("Why", reason)],
            })
            .WithHealthCheck(kafka.HealthCheckKey);
    }

    /// <summary>
    /// Kafka is up at <paramref name="bootstrap"/>: the value is set, <see cref="ConnectionStringAvailableEvent"/>
    /// published (Aspire shows the connection string; nobody publishes it for a custom resource but the
    /// resource itself), then Running, which starts the health check that dependents' WaitFor reads.
    /// </summary>
    public static async Task PublishRunningAsync(this InitializeResourceEvent e, KafkaClusterResource kafka, string bootstrap, CancellationToken cancellationToken,
        params (string Name, object Value)[] properties)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(kafka);
        kafka.BootstrapServers.Set(bootstrap);
        await e.Eventing.PublishAsync(new ConnectionStringAvailableEvent(kafka, e.Services), cancellationToken);
        await Lifecycle.ResourceStates.RunningAsync(e.Notifications, kafka, [("Bootstrap servers", bootstrap), .. properties]);
    }
}
