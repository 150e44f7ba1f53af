using System.Globalization;
using KafkaDemo.AppHost.Agent;
using KafkaDemo.AppHost.ExistingCluster;
using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.K3dMode;
using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Modes;
using KafkaDemo.AppHost.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Extensions;

/// <summary>
/// The Kafka the services use, as a <see cref="KafkaClusterResource"/> named <c>kafka</c>, in every mode:
/// each mode's wiring (the embedded broker, the k3d cluster with Strimzi and the agent, or an external cluster).
/// </summary>
public static class KafkaModeExtensions
{
    /// <summary>The connection name every service uses (<c>ConnectionStrings:kafka</c>).</summary>
    public const string ConnectionName = "kafka";

    /// <summary>Name of the embedded broker's process resource.</summary>
    public const string EmbeddedResourceName = "kafka-embedded";

    /// <summary>Adds Kafka for the mode decided: the embedded broker, a k3d cluster with Strimzi, or an external cluster.</summary>
    public static ModeResources AddKafkaForMode(this IDistributedApplicationBuilder builder, KafkaDemoSettings settings, ModeDecision decision)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(decision);
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KafkaDemo.AppHost")
                .LogInformation("Mode {Mode}: {Reason}", decision.Mode.ToString().ToLowerInvariant(), decision.Reason);
            return Task.CompletedTask;
        });

        return decision.Mode switch
        {
            DemoMode.Embedded => builder.AddEmbeddedMode(settings, decision),
            DemoMode.K3d => builder.AddK3dMode(settings, decision),
            DemoMode.External => settings.External.HasCluster ? builder.AddExistingClusterMode(settings, decision) : builder.AddExternalMode(decision),
            _ => throw new InvalidOperationException($"Mode {decision.Mode} has no Kafka."),
        };
    }

    /// <summary>
    /// References the Kafka connection and starts only once Kafka is running and healthy (WaitFor).
    /// If Kafka fails (say the k3d cluster could not be made): with the dashboard, the service keeps
    /// waiting and starts once Kafka runs (after the cause is fixed and the cluster recreated); without
    /// one (Aspire's default then is StopOnResourceUnavailable), it fails too, naming Kafka.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDemoKafka(this IResourceBuilder<ProjectResource> project, ModeResources mode)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(mode);
        return project.WithReference(mode.Kafka).WaitFor(mode.Kafka);
    }

    private static ModeResources AddEmbeddedMode(this IDistributedApplicationBuilder builder, KafkaDemoSettings settings, ModeDecision decision)
    {
        var embedded = settings.Embedded;
        var broker = builder.AddHttpOnlyProject<Projects.KafkaDemo_EmbeddedKafka>(EmbeddedResourceName)
            .WithEndpoint(name: "kafka", scheme: "tcp", port: embedded.Port, targetPort: embedded.Port, isProxied: false)
            .WithEnvironment("EmbeddedKafka__Host", embedded.Host)
            .WithEnvironment("EmbeddedKafka__Port", embedded.Port.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("EmbeddedKafka__Brokers", embedded.Brokers.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("EmbeddedKafka__Topics", settings.Topics)
            .WithEnvironment("EmbeddedKafka__Partitions", settings.Partitions.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("EmbeddedKafka__ReplicationFactor", settings.ReplicationFactor.ToString(CultureInfo.InvariantCulture))
            .WithHttpHealthCheck("/health")
            .WithFaultCommands(embedded.Brokers);

        var kafka = builder.AddEmbeddedKafka(ConnectionName, broker, embedded.BootstrapServers, decision.Reason);
        return new ModeResources(decision, kafka, broker.GetEndpoint("http"));
    }

    private static ModeResources AddK3dMode(this IDistributedApplicationBuilder builder, KafkaDemoSettings settings, ModeDecision decision)
    {
        var cluster = builder.AddK3dCluster("k3d", settings.K3d);
        var kafka = builder.AddK3dKafka(ConnectionName, cluster, settings, decision.Reason);
        // k3d image import: only the k3d cluster's nodes can be given an image without a registry.
        builder.Services.TryAddSingleton<ImageDelivery>();
        var agent = cluster.AddVibectlAgent(kafka, sp => AgentImageSource.Imported(sp.GetRequiredService<ImageDelivery>(), settings.K3d));
        return new ModeResources(decision, kafka, ControlApi: null, cluster.Resource, agent);
    }

    /// <summary>
    /// External mode with an existing cluster (KafkaDemo:External:Kubeconfig): the cluster is checked
    /// (API server, Strimzi's CRDs), its Kafka followed until Ready, the demo's topics applied as
    /// KafkaTopic resources, the bootstrap servers read from its status unless ConnectionStrings:kafka
    /// gives them. Nothing is created but the topics, the Overseer's identity and the agent; no cluster,
    /// no operator. The Overseer's and the agent's Roles name KafkaDemo:External:Namespace/KafkaName
    /// (<see cref="Kubernetes.KafkaTarget"/>).
    /// </summary>
    private static ModeResources AddExistingClusterMode(this IDistributedApplicationBuilder builder, KafkaDemoSettings settings, ModeDecision decision)
    {
        var external = settings.External;
        var bootstrap = builder.Configuration.GetConnectionString(ConnectionName);
        var cluster = builder.AddExistingCluster("cluster", external, settings.K3d.ResolvedStateDirectory);
        var kafka = builder.AddExistingKafka(ConnectionName, cluster, string.IsNullOrWhiteSpace(bootstrap) ? null : bootstrap, settings, decision.Reason);
        var agent = cluster.AddVibectlAgent(kafka, _ => AgentImageSource.Pulled(external.AgentImage));
        return new ModeResources(decision, kafka, ControlApi: null, cluster.Resource, agent);
    }

    private static ModeResources AddExternalMode(this IDistributedApplicationBuilder builder, ModeDecision decision)
    {
        var bootstrap = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(bootstrap))
        {
            throw new InvalidSettingsException(
                "KafkaDemo:Mode=external needs the bootstrap servers in ConnectionStrings:kafka, "
                + "for example --ConnectionStrings:kafka=broker1:9092,broker2:9092 or ConnectionStrings__kafka=...");
        }

        var kafka = builder.AddExternalKafka(ConnectionName, bootstrap, decision.Reason);
        return new ModeResources(decision, kafka, ControlApi: null);
    }
}
