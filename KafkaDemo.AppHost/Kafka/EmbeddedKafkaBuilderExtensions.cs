using KafkaDemo.AppHost.Lifecycle;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaDemo.AppHost.Kafka;

/// <summary>The <c>kafka</c> resource in embedded mode.</summary>
public static class EmbeddedKafkaBuilderExtensions
{
    /// <summary>
    /// Adds Kafka as the brokers of <paramref name="broker"/> (the embedded Kafka process) at
    /// <paramref name="bootstrap"/>: it waits for the process to be healthy, then runs.
    /// </summary>
    public static IResourceBuilder<EmbeddedKafkaResource> AddEmbeddedKafka(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<IResource> broker, string bootstrap, string reason)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(broker);
        builder.Services.TryAddSingleton<DependencyGate>();
        builder.Services.TryAddSingleton<EmbeddedKafkaLifecycle>();
        var kafka = new EmbeddedKafkaResource(name);
        kafka.BootstrapServers.Set(bootstrap);
        return builder.AddKafkaCluster(kafka, reason)
            .WithParentRelationship(broker)
            .WaitFor(broker)
            .OnInitializeResource((resource, e, cancellationToken) => e.Services.GetRequiredService<EmbeddedKafkaLifecycle>().StartAsync(resource, e, cancellationToken));
    }
}
