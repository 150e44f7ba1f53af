using KafkaDemo.AppHost.Lifecycle;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaDemo.AppHost.Kafka;

/// <summary>The <c>kafka</c> resource in external mode.</summary>
public static class ExternalKafkaBuilderExtensions
{
    /// <summary>
    /// Adds a Kafka cluster this AppHost does not run, at <paramref name="bootstrap"/>. It counts as
    /// Running at once; its health check says whether a broker answers, and the services' WaitFor
    /// holds them until it does.
    /// </summary>
    public static IResourceBuilder<ExternalKafkaResource> AddExternalKafka(this IDistributedApplicationBuilder builder, string name, string bootstrap, string reason)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<DependencyGate>();
        builder.Services.TryAddSingleton<ExternalKafkaLifecycle>();
        var kafka = new ExternalKafkaResource(name);
        kafka.BootstrapServers.Set(bootstrap);
        return builder.AddKafkaCluster(kafka, reason)
            .OnInitializeResource((resource, e, cancellationToken) => e.Services.GetRequiredService<ExternalKafkaLifecycle>().StartAsync(resource, e, cancellationToken));
    }
}
