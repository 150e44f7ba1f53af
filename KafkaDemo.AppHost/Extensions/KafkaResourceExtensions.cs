using KafkaDemo.AppHost.Modes;
using KafkaDemo.AppHost.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Extensions;

public static class KafkaResourceExtensions
{
    /// <summary>The connection name every service uses (<c>ConnectionStrings:kafka</c>).</summary>
    public const string ConnectionName = "kafka";

    /// <summary>Name of the embedded broker resource.</summary>
    public const string EmbeddedResourceName = "kafka-embedded";

    /// <summary>Chooses the mode and adds the Kafka it needs.</summary>
    public static DemoKafka AddDemoKafka(this IDistributedApplicationBuilder builder, KafkaDemoSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        var decision = ModeResolver.Resolve(settings.ParsedMode);
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KafkaDemo.AppHost")
                .LogInformation("Mode {Mode}: {Reason}", decision.Mode, decision.Reason);
            return Task.CompletedTask;
        });

        return decision.Mode switch
        {
            DemoMode.Embedded => builder.AddEmbeddedKafka(settings, decision),
            DemoMode.External => builder.AddExternalKafka(decision),
            _ => throw new InvalidOperationException($"Mode {decision.Mode} has no Kafka resource."),
        };
    }

    /// <summary>References the Kafka connection and waits for the broker, if the AppHost runs one.</summary>
    public static IResourceBuilder<ProjectResource> WithDemoKafka(this IResourceBuilder<ProjectResource> project, DemoKafka kafka)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(kafka);
        project.WithReference(kafka.ConnectionString);
        return kafka.Broker is null ? project : project.WaitFor(kafka.Broker);
    }

    private static DemoKafka AddEmbeddedKafka(this IDistributedApplicationBuilder builder, KafkaDemoSettings settings, ModeDecision decision)
    {
        var embedded = settings.Embedded;
        var broker = builder.AddProject<Projects.KafkaDemo_EmbeddedKafka>(EmbeddedResourceName)
            .WithEndpoint(name: "kafka", scheme: "tcp", port: embedded.Port, targetPort: embedded.Port, isProxied: false)
            .WithEnvironment("EmbeddedKafka__Host", embedded.Host)
            .WithEnvironment("EmbeddedKafka__Port", embedded.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("EmbeddedKafka__Brokers", embedded.Brokers.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("EmbeddedKafka__Topics", settings.Topics)
            .WithEnvironment("EmbeddedKafka__Partitions", settings.Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("EmbeddedKafka__ReplicationFactor", settings.ReplicationFactor.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithHttpHealthCheck("/health")
            .WithFaultCommands(embedded.Brokers);

        var connectionString = builder.AddConnectionString(ConnectionName, ReferenceExpression.Create($"{embedded.BootstrapServers}"));
        return new DemoKafka(decision, connectionString, broker, broker.GetEndpoint("http"));
    }

    private static DemoKafka AddExternalKafka(this IDistributedApplicationBuilder builder, ModeDecision decision)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionName)))
        {
            throw new InvalidOperationException(
                "KafkaDemo:Mode=external needs the bootstrap servers in ConnectionStrings:kafka, "
                + "for example --ConnectionStrings:kafka=broker1:9092,broker2:9092 or ConnectionStrings__kafka=...");
        }

        return new DemoKafka(decision, builder.AddConnectionString(ConnectionName), Broker: null, ControlApi: null);
    }
}
