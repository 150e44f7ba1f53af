using System.Globalization;
using System.Net.Sockets;
using KafkaDemo.AppHost.Agent;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.K3dMode;
using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Modes;
using KafkaDemo.AppHost.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
            DemoMode.Embedded => builder.AddEmbeddedKafka(settings, decision),
            DemoMode.K3d => builder.AddK3dKafka(settings, decision),
            DemoMode.External => builder.AddExternalKafka(decision),
            _ => throw new InvalidOperationException($"Mode {decision.Mode} has no Kafka."),
        };
    }

    /// <summary>
    /// References the Kafka connection and starts only once Kafka is running. If Kafka fails (say the
    /// k3d cluster could not be made), the service fails too, naming Kafka; after the cause is fixed
    /// and the cluster recreated, start it again from the dashboard.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDemoKafka(this IResourceBuilder<ProjectResource> project, ModeResources mode)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(mode);
        return project.WithReference(mode.Kafka).WaitFor(mode.Kafka);
    }

    private static IResourceBuilder<KafkaClusterResource> AddKafkaResource(this IDistributedApplicationBuilder builder, ModeDecision decision) =>
        builder.AddResource(new KafkaClusterResource(ConnectionName, decision.Mode.ToString().ToLowerInvariant()))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Kafka",
                State = new ResourceStateSnapshot(KnownResourceStates.Waiting, KnownResourceStateStyles.Info),
                Properties = [new("Mode", decision.Mode.ToString().ToLowerInvariant()), new("Why", decision.Reason)],
            });

    private static ModeResources AddEmbeddedKafka(this IDistributedApplicationBuilder builder, KafkaDemoSettings settings, ModeDecision decision)
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

        var kafka = builder.AddKafkaResource(decision)
            .WithParentRelationship(broker)
            .WaitFor(broker);
        kafka.Resource.BootstrapServers.Set(embedded.BootstrapServers);
        builder.Eventing.Subscribe<InitializeResourceEvent>(kafka.Resource, async (e, cancellationToken) =>
        {
            // Our own WaitFor: the embedded broker must be healthy before Kafka counts as running.
            await e.Eventing.PublishAsync(new BeforeResourceStartedEvent(e.Resource, e.Services), cancellationToken);
            await e.Notifications.RunningAsync(e.Resource, ("Bootstrap servers", embedded.BootstrapServers));
        });
        return new ModeResources(decision, kafka, broker.GetEndpoint("http"));
    }

    private static ModeResources AddK3dKafka(this IDistributedApplicationBuilder builder, KafkaDemoSettings settings, ModeDecision decision)
    {
        var cluster = builder.AddK3dCluster("k3d", settings.K3d);
        var kafka = builder.AddKafkaResource(decision)
            .WithParentRelationship(cluster)
            .WithK3dKafka(cluster, settings);
        var agent = cluster.AddVibectlAgent(kafka);
        return new ModeResources(decision, kafka, ControlApi: null, cluster.Resource, agent);
    }

    private static ModeResources AddExternalKafka(this IDistributedApplicationBuilder builder, ModeDecision decision)
    {
        var bootstrap = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(bootstrap))
        {
            throw new InvalidOperationException(
                "KafkaDemo:Mode=external needs the bootstrap servers in ConnectionStrings:kafka, "
                + "for example --ConnectionStrings:kafka=broker1:9092,broker2:9092 or ConnectionStrings__kafka=...");
        }

        var kafka = builder.AddKafkaResource(decision);
        kafka.Resource.BootstrapServers.Set(bootstrap);
        builder.Eventing.Subscribe<InitializeResourceEvent>(kafka.Resource, async (e, cancellationToken) =>
        {
            var log = e.Logger;
            while (!cancellationToken.IsCancellationRequested)
            {
                var reachable = await ReachableAsync(bootstrap, log, cancellationToken);
                if (reachable is not null)
                {
                    log.LogInformation("Kafka answers at {Server}.", reachable);
                    await e.Notifications.RunningAsync(e.Resource, ("Bootstrap servers", bootstrap));
                    return;
                }

                await e.Notifications.SetAsync(e.Resource, "Unreachable", KnownResourceStateStyles.Warn);
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            }
        });
        return new ModeResources(decision, kafka, ControlApi: null);
    }

    /// <summary>The first bootstrap server that accepts a TCP connection, or null; each failure is logged.</summary>
    private static async Task<string?> ReachableAsync(string bootstrap, ILogger log, CancellationToken cancellationToken)
    {
        foreach (var server in bootstrap.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = server.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(server[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                log.LogWarning("'{Server}' in ConnectionStrings:kafka is not host:port.", server);
                continue;
            }

            try
            {
                using var client = new TcpClient();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                await client.ConnectAsync(server[..colon].Trim('[', ']'), port, timeout.Token);
                return server;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                log.LogWarning("Kafka does not answer at {Server}: {Message}", server, ex.Message);
            }
        }

        return null;
    }
}
