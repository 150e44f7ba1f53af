using System.Globalization;
using KafkaDemo.AppHost.Settings;

namespace KafkaDemo.AppHost.Extensions;

public static class ServiceResourceExtensions
{
    /// <summary>
    /// The shared secret producers sign with and consumers verify with. Generated on first run and
    /// kept in the AppHost's user secrets (Parameters:hmac-secret); give your own with
    /// <c>Parameters__hmac-secret</c>. Only the producer and the consumer receive it.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddHmacSecret(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddParameter(
            "hmac-secret",
            new GenerateParameterDefault { MinLength = 32, Special = false },
            secret: true,
            persist: true);
    }

    public static IResourceBuilder<ProjectResource> AddDemoConsumer(
        this IDistributedApplicationBuilder builder,
        KafkaDemoSettings settings,
        DemoKafka kafka,
        IResourceBuilder<ParameterResource> secret)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        return builder.AddProject<Projects.KafkaDemo_Consumer>("consumer")
            .WithEndpoint("http", e => e.Port = settings.Ports.Consumer)
            .WithDemoKafka(kafka)
            .WithEnvironment("Messaging__HmacSecret", secret)
            .WithEnvironment("Consumer__Topics", settings.Topics)
            .WithHttpHealthCheck("/health");
    }

    public static IResourceBuilder<ProjectResource> AddDemoProducer(
        this IDistributedApplicationBuilder builder,
        KafkaDemoSettings settings,
        DemoKafka kafka,
        IResourceBuilder<ParameterResource> secret,
        IResourceBuilder<ProjectResource> consumer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        return builder.AddProject<Projects.KafkaDemo_Producer>("producer")
            .WithEndpoint("http", e => e.Port = settings.Ports.Producer)
            .WithDemoKafka(kafka)
            .WithEnvironment("Messaging__HmacSecret", secret)
            .WithEnvironment("Producer__Topics", settings.Topics)
            .WithEnvironment("Producer__Rate", settings.Rate.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Producer__MessageSize", settings.MessageSize)
            .WithHttpHealthCheck("/health")
            // Start sending only once the consumer has joined its group, so every message is read.
            .WaitFor(consumer);
    }
}
