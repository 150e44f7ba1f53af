using System.Globalization;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Strimzi;

namespace KafkaDemo.AppHost.Extensions;

/// <summary>
/// The demo's topology: the HMAC secret and the control token, the consumers, the producers and
/// the Overseer, wired to the Kafka of the chosen mode (<see cref="KafkaModeExtensions"/>) and to
/// each other in the order they start.
/// </summary>
public static class DemoTopologyExtensions
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

    /// <summary>Name of the parameter holding the control token.</summary>
    public const string ControlTokenName = "control-token";

    /// <summary>
    /// The token the services' mutating endpoints (rate, load, controller, faults) require as
    /// <c>Authorization: Bearer</c>. Generated on first run and kept in the AppHost's user secrets
    /// (Parameters:control-token), like the HMAC secret; give your own with
    /// <c>Parameters__control-token</c>. The Overseer, the producers and the embedded Kafka receive
    /// it (<c>Control__Token</c>), and so do the dashboard commands.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddControlToken(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddParameter(
            ControlTokenName,
            new GenerateParameterDefault { MinLength = 32, Special = false },
            secret: true,
            persist: true);
    }

    /// <summary>Hands the control token to a service that has mutating endpoints.</summary>
    public static IResourceBuilder<T> WithControlToken<T>(this IResourceBuilder<T> service, IResourceBuilder<ParameterResource> token)
        where T : IResourceWithEnvironment =>
        service.WithEnvironment("Control__Token", token);

    /// <summary>Hands the control token to the embedded Kafka (its fault endpoints), when the AppHost runs it.</summary>
    public static ModeResources WithControlToken(this ModeResources mode, IDistributedApplicationBuilder builder, IResourceBuilder<ParameterResource> token)
    {
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(builder);
        if (mode.ControlApi?.Resource is IResourceWithEnvironment broker)
        {
            builder.CreateResourceBuilder(broker).WithControlToken(token);
        }

        return mode;
    }

    /// <summary>Resource names for <paramref name="count"/> instances: "consumer", or "consumer-1".."consumer-N".</summary>
    public static IReadOnlyList<string> InstanceNames(string role, int count) =>
        count == 1 ? [role] : [.. Enumerable.Range(1, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{role}-{i}"))];

    /// <summary>The consumers, one group; the first on the fixed port, the others on ports Aspire picks.</summary>
    public static IReadOnlyList<IResourceBuilder<ProjectResource>> AddDemoConsumers(
        this IDistributedApplicationBuilder builder,
        KafkaDemoSettings settings,
        ModeResources mode,
        IResourceBuilder<ParameterResource> secret)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        return [.. InstanceNames("consumer", settings.Consumers).Select((name, i) =>
        {
            var consumer = builder.AddSigningService<Projects.KafkaDemo_Consumer>(
                name, "Consumer", i == 0 ? settings.Ports.Consumer : null, settings.Topics, mode, secret);
            if (mode.Decision.Mode == DemoMode.Embedded)
            {
                // librdkafka's mock broker holds an empty fetch for the whole fetch.wait.max.ms
                // instead of answering when data arrives: a short wait keeps latency low.
                consumer.WithEnvironment("Aspire__Confluent__Kafka__Consumer__Config__FetchWaitMaxMs", "1");
            }

            return consumer;
        })];
    }

    /// <summary>
    /// The producers, which start only once every consumer has joined its group, so every message
    /// is read; the first on the fixed port. The starting rate is split between them.
    /// </summary>
    public static IReadOnlyList<IResourceBuilder<ProjectResource>> AddDemoProducers(
        this IDistributedApplicationBuilder builder,
        KafkaDemoSettings settings,
        ModeResources mode,
        IResourceBuilder<ParameterResource> secret,
        IResourceBuilder<ParameterResource> controlToken,
        IReadOnlyList<IResourceBuilder<ProjectResource>> consumers)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(consumers);
        var rate = (settings.Rate / settings.Producers).ToString(CultureInfo.InvariantCulture);
        return [.. InstanceNames("producer", settings.Producers).Select((name, i) =>
        {
            var producer = builder.AddSigningService<Projects.KafkaDemo_Producer>(
                    name, "Producer", i == 0 ? settings.Ports.Producer : null, settings.Topics, mode, secret)
                .WithEnvironment("Producer__Rate", rate)
                .WithEnvironment("Producer__MessageSize", settings.MessageSize)
                .WithControlToken(controlToken);
            foreach (var consumer in consumers)
            {
                producer.WaitFor(consumer);
            }

            return producer;
        })];
    }

    /// <summary>The Overseer: polls every producer and consumer (and the embedded Kafka), runs the controller.</summary>
    public static IResourceBuilder<ProjectResource> AddDemoOverseer(
        this IDistributedApplicationBuilder builder,
        KafkaDemoSettings settings,
        ModeResources mode,
        IResourceBuilder<ParameterResource> controlToken,
        IReadOnlyList<IResourceBuilder<ProjectResource>> producers,
        IReadOnlyList<IResourceBuilder<ProjectResource>> consumers)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(mode);
        var controller = settings.Controller;
        var overseer = builder.AddHttpOnlyProject<Projects.KafkaDemo_Overseer>("overseer")
            .WithEndpoint("http", e => e.Port = settings.Ports.Overseer)
            .WithReference(mode.Kafka)
            .WithEnvironment("Overseer__Mode", mode.Decision.Mode.ToString().ToLowerInvariant())
            // The total the producers start with (each at its share, here or in the load's ConfigMap): the Overseer keeps
            // it as producers are scaled or restarted, until it sets another.
            .WithEnvironment("Overseer__TotalRate", settings.Rate.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Overseer__Controller__Enabled", controller.Enabled ? "true" : "false")
            .WithEnvironment("Overseer__Controller__SloP99Ms", controller.SloP99Ms.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Overseer__Controller__MinRate", controller.MinRate.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Overseer__Controller__MaxRate", controller.MaxRate.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Overseer__Controller__WindowSeconds", controller.WindowSeconds.ToString(CultureInfo.InvariantCulture))
            .WithControlToken(controlToken)
            .WithPageLogin(controlToken)
            .WithHttpHealthCheck("/health")
            .WithOverseerCommands();

        foreach (var (list, key) in new[] { (producers, "Producers"), (consumers, "Consumers") })
        {
            for (var i = 0; i < list.Count; i++)
            {
                overseer.WithReference(list[i]).WaitFor(list[i])
                    .WithEnvironment(string.Create(CultureInfo.InvariantCulture, $"Overseer__{key}__{i}"), "http://" + list[i].Resource.Name);
            }
        }

        if (mode.ControlApi is { } control)
        {
            overseer.WithEnvironment("Overseer__EmbeddedKafka", control);
        }

        if (mode.Cluster is { } cluster && mode.Agent is { } agent)
        {
            // The Overseer watches the Kafka resources and drives the agent as its own service
            // account (k3d/overseer: least privilege, a token the AppHost renews), never with the
            // admin kubeconfig; it never receives the LLM key, only the model's name.
            overseer
                .WithEnvironment("Overseer__Cluster__Kubeconfig", cluster.OverseerKubeconfigPath)
                .WithEnvironment("Overseer__Cluster__Namespace", cluster.Kafka.Namespace)
                .WithEnvironment("Overseer__Cluster__KafkaName", cluster.Kafka.Name)
                .WithEnvironment("Overseer__Agent__Enabled", "true")
                .WithEnvironment("Overseer__Agent__Model", agent.Resource.Model)
                .WithEnvironment("Overseer__Agent__IntervalSeconds", settings.Agent.IntervalSeconds.ToString(CultureInfo.InvariantCulture))
                .WithAgentCommands(BrokerConfigBaselines.Names);

            // Each preset is a whole spec.kafka.config, as rendered for the k3d cluster: the reset
            // removes every key outside it. A Kafka the AppHost did not render has no baseline here.
            IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> presets = cluster is K3dClusterResource
                ? BrokerConfigBaselines.Presets(KafkaLayout.From(settings))
                : new Dictionary<string, IReadOnlyDictionary<string, string>>();
            foreach (var (preset, config) in presets)
            {
                foreach (var (key, value) in config)
                {
                    overseer.WithEnvironment($"Overseer__Cluster__Presets__{preset}__{key}", value);
                }
            }
        }

        return overseer;
    }

    /// <summary>
    /// What a producer and a consumer instance share: its HTTP port (fixed, or Aspire's pick when
    /// null), Kafka, the HMAC secret, its topics and instance name under <paramref name="section"/>,
    /// and the health check.
    /// </summary>
    private static IResourceBuilder<ProjectResource> AddSigningService<TProject>(
        this IDistributedApplicationBuilder builder,
        string name,
        string section,
        int? port,
        string topics,
        ModeResources mode,
        IResourceBuilder<ParameterResource> secret)
        where TProject : IProjectMetadata, new() =>
        builder.AddHttpOnlyProject<TProject>(name)
            .WithEndpoint("http", e => e.Port = port)
            .WithDemoKafka(mode)
            .WithEnvironment("Messaging__HmacSecret", secret)
            .WithEnvironment($"{section}__Topics", topics)
            .WithEnvironment($"{section}__InstanceId", name)
            .WithHttpHealthCheck("/health");
}
