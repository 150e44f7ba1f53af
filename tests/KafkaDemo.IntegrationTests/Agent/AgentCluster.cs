extern alias overseer;

using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.TestSupport.AgentContainer;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using overseer::KafkaDemo.Overseer.Extensions;

namespace KafkaDemo.IntegrationTests.Agent;

/// <summary>
/// The agent's world (TestSupport's <see cref="AgentWorld"/>: the fake Kubernetes API with the
/// repository's k3d/kafka and k3d/agent objects, the agent's pod run by the Deployment controller,
/// and the container's programs, vibectl 0.11.6, llm 0.26 and the real kubectl, behind pod exec;
/// waits in the pod pass 100 times faster), and the Overseer's own services, built as the Overseer
/// builds them, pointed at it by a kubeconfig of their own (the AppHost's, which Recreate cluster
/// rewrites).
/// </summary>
internal sealed class AgentCluster : IAsyncDisposable
{
    public static readonly ResourceType Kafkas = new("kafka.strimzi.io", "v1", "kafkas");
    public static readonly ResourceType NodePools = new("kafka.strimzi.io", "v1", "kafkanodepools");
    public static readonly ResourceType Topics = new("kafka.strimzi.io", "v1", "kafkatopics");

    private readonly string _directory;

    private AgentCluster(AgentWorld world, WebApplication overseer, string directory)
    {
        World = world;
        Vibectl = world.View;
        Overseer = overseer;
        _directory = directory;
    }

    public AgentWorld World { get; }

    public FakeKubernetesApi Api => World.Api;

    /// <summary>vibectl in the agent's pod, as the tests look at it.</summary>
    public AgentView Vibectl { get; }

    /// <summary>The Overseer's services (built, not started: tests drive the loop and start the watch).</summary>
    public WebApplication Overseer { get; }

    /// <summary>The kubeconfig the Overseer reads (the AppHost's, rewritten when it recreates the cluster).</summary>
    public string Kubeconfig => Path.Combine(_directory, "kubeconfig");

    public T Get<T>()
        where T : notnull => Overseer.Services.GetRequiredService<T>();

    public static Task<AgentCluster> StartAsync(bool keySet = true, params string[] settings) => StartAsync(keySet, time: null, settings);

    /// <param name="keySet">Whether the AppHost put the LLM key in the agent's Secret (and marked its pod template).</param>
    /// <param name="time">The Overseer's clock (a fake one, for the schedule), or the system's.</param>
    /// <param name="settings">Overseer settings, each <c>key=value</c>.</param>
    public static Task<AgentCluster> StartAsync(bool keySet, TimeProvider? time, params string[] settings) =>
        StartAsync(Options(keySet), time, settings);

    /// <param name="options">The world: the Deployment's changes, the key, the model's answers.</param>
    /// <param name="time">The Overseer's clock (a fake one, for the schedule), or the system's.</param>
    /// <param name="settings">Overseer settings, each <c>key=value</c>.</param>
    public static Task<AgentCluster> StartAsync(AgentWorldOptions options, TimeProvider? time, params string[] settings) =>
        StartAsync(options, time, services: null, settings);

    /// <param name="options">The world: the Deployment's changes, the key, the model's answers.</param>
    /// <param name="time">The Overseer's clock (a fake one, for the schedule), or the system's.</param>
    /// <param name="services">Changes to the Overseer's services (an older exec channel, say), with the world they run against.</param>
    /// <param name="settings">Overseer settings, each <c>key=value</c>.</param>
    public static Task<AgentCluster> StartAsync(AgentWorldOptions options, TimeProvider? time, Action<IServiceCollection, AgentWorld>? services, params string[] settings) =>
        StartAsync(options, time, services, inPod: false, settings);

    /// <summary>
    /// The Overseer as it runs in its own pod (deploy/overseer): k3d/overseer's identity and
    /// deploy/overseer's Deployment applied to the world, whose kubelet runs the pod; the Overseer
    /// then reaches the API server in-cluster, from that container's <c>KUBERNETES_SERVICE_*</c>
    /// variables and its service account token volume (copied into <see cref="ServiceAccountFolder"/>,
    /// which stands for <c>/var/run/secrets/kubernetes.io/serviceaccount</c>).
    /// </summary>
    public static Task<AgentCluster> StartInPodAsync(TimeProvider? time, params string[] settings) =>
        StartAsync(Options(), time, services: null, inPod: true, settings);

    /// <summary>Where the in-pod Overseer reads its service account token and CA (<see cref="StartInPodAsync"/>).</summary>
    public string ServiceAccountFolder => Path.Combine(_directory, "serviceaccount");

    /// <summary>The Overseer's pod (<see cref="StartInPodAsync"/>), as the kubelet runs it.</summary>
    public RunningContainer? OverseerContainer { get; private init; }

    private static async Task<AgentCluster> StartAsync(AgentWorldOptions options, TimeProvider? time, Action<IServiceCollection, AgentWorld>? services, bool inPod, string[] settings)
    {
        var world = await StartWorldAsync(options);
        var directory = Directory.CreateTempSubdirectory("kafkademo-agent-").FullName;
        try
        {
            var connection = new Dictionary<string, string?>(StringComparer.Ordinal);
            RunningContainer? container = null;
            if (inPod)
            {
                container = await OverseerPod.RunAsync(world.Api, TestContext.Current.CancellationToken);
                var folder = Path.Combine(directory, "serviceaccount");
                OverseerPod.CopyServiceAccount(container, folder);
                connection["Overseer:Cluster:InCluster"] = "true";
                connection["Overseer:Cluster:ServiceAccountPath"] = folder;

                // As the environment variables provider gives the kubelet's variables to the configuration.
                connection["KUBERNETES_SERVICE_HOST"] = container.Environment["KUBERNETES_SERVICE_HOST"];
                connection["KUBERNETES_SERVICE_PORT"] = container.Environment["KUBERNETES_SERVICE_PORT"];
            }
            else
            {
                var kubeconfig = Path.Combine(directory, "kubeconfig");
                world.Api.WriteKubeconfig(kubeconfig);
                connection["Overseer:Cluster:Kubeconfig"] = kubeconfig;
            }

            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
            builder.Configuration.AddInMemoryCollection(connection);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Overseer:Mode"] = "k3d",
                ["Overseer:Producers:0"] = "http://127.0.0.1:9",
                ["Overseer:Consumers:0"] = "http://127.0.0.1:7",
                ["Overseer:Cluster:PodPollSeconds"] = "1",
                ["Overseer:Agent:Enabled"] = "true",
                ["Overseer:Agent:FirstRoundAfterSeconds"] = "86400",
            });
            builder.Configuration.AddInMemoryCollection(Presets(world));
            builder.Configuration.AddInMemoryCollection(settings.Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => (string?)p[1]));
            builder.AddOverseer();
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }

            services?.Invoke(builder.Services, world);
            return new AgentCluster(world, builder.Build(), directory) { OverseerContainer = container };
        }
        catch
        {
            await world.DisposeAsync();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// The presets as the AppHost passes them (KafkaDemo.AppHost Strimzi/BrokerConfigBaselines.cs
    /// Presets): modest is the whole config of the Kafka resource the world applied from
    /// k3d/kafka/kafka.yaml, kafka-defaults the same with the tuning keys at Kafka's defaults
    /// (KafkaTuningDefaults).
    /// </summary>
    private static Dictionary<string, string?> Presets(AgentWorld world)
    {
        var config = world.Api.Get(Kafkas, StrimziNames.Namespace, StrimziNames.KafkaName)!["spec"]!["kafka"]!["config"]!.AsObject();
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in config)
        {
            var text = KafkaDemo.DeploymentContract.Strimzi.BrokerConfigValue.Text(value!);
            settings[$"Overseer:Cluster:Presets:modest:{key}"] = text;
            settings[$"Overseer:Cluster:Presets:kafka-defaults:{key}"] = KafkaDemo.DeploymentContract.Strimzi.KafkaTuningDefaults.Values.GetValueOrDefault(key, text);
        }

        return settings;
    }

    /// <summary>The world with the LLM key in the Secret (or none), waits in the pod 100 times faster.</summary>
    public static AgentWorldOptions Options(bool keySet = true) => new()
    {
        LlmKey = keySet ? "sk-ant-kafkademo-test-key" : null,
        Programs = new AgentContainerOptions { Time = new FastForwardTime() },
    };

    /// <summary>
    /// Another agent world with the same objects, as <em>Recreate cluster</em> would make (a new API
    /// server and port, a new agent pod), its Kafka at <paramref name="ioThreads"/> I/O threads: the
    /// caller disposes it.
    /// </summary>
    public static async Task<AgentWorld> StartSecondClusterAsync(int ioThreads)
    {
        var world = await StartWorldAsync(Options());
        var kafka = world.Api.Get(Kafkas, StrimziNames.Namespace, StrimziNames.KafkaName)!;
        kafka["spec"]!["kafka"]!["config"]!["num.io.threads"] = ioThreads;
        kafka["metadata"]!.AsObject().Remove("managedFields");
        world.Api.Put(kafka, "kafkademo");
        return world;
    }

    private static Task<AgentWorld> StartWorldAsync(AgentWorldOptions options)
    {
        TestSupport.RequiredTools.Kubectl();
        return AgentWorld.StartAsync(options, TestContext.Current.CancellationToken);
    }

    /// <summary>What a command line runs once flock, timeout and env are taken off: <c>vibectl config set ...</c>.</summary>
    public static string[] Inner(IReadOnlyList<string> command) => Inner([.. command]);

    private static string[] Inner(string[] command) => command switch
    {
        ["flock", "-n", "-E", _, _, .. var rest] => Inner(rest),
        ["timeout", var first, _, .. var rest] when first.StartsWith("--kill-after=", StringComparison.Ordinal) => Inner(rest),
        ["env", .. var rest] => Inner([.. rest.SkipWhile(a => a.Contains('=', StringComparison.Ordinal))]),
        _ => command,
    };

    public async ValueTask DisposeAsync()
    {
        await Overseer.DisposeAsync();
        await World.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
