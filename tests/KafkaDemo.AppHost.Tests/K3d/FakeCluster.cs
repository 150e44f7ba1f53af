extern alias embedded;

using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using embedded::KafkaDemo.EmbeddedKafka.Cluster;
using KafkaDemo.AppHost.Tools;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.BrokerMetrics;
using System.Text.Json.Nodes;
using KafkaDemo.TestSupport.Kubernetes;
using KafkaDemo.TestSupport.Vibectl;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// Everything a k3d-mode run needs, without Docker: a scripted docker and k3d, a fake Kubernetes API
/// server that the AppHost's real KubernetesClient talks to, a simulated Strimzi, and an embedded
/// Kafka that the Kafka resource's status points at.
/// </summary>
internal sealed class FakeCluster : IAsyncDisposable
{
    private FakeCluster(K3dTestApp test, FakeKubernetesApi api, EmbeddedKafkaCluster kafka, FakeDockerAndK3d tools, SimulatedStrimzi strimzi)
    {
        Test = test;
        Api = api;
        Kafka = kafka;
        Tools = tools;
        Strimzi = strimzi;
        Vibectl = new ScriptedVibectl(api);

        // Each broker pod's JMX exporter on 9404, behind the API server's pod proxy.
        api.OnPodProxy(request => Task.FromResult(request is { Namespace: "kafka", Port: 9404, Path: "/metrics", Method: "GET" } && !SilentBrokers.ContainsKey(request.Pod)
            ? PodProxyResponse.Prometheus(JmxExporterText.Render(BrokerJmx.GetValueOrDefault(request.Pod, JmxExporterText.Typical)))
            : null));
        _agentPods = api.OnWrite(w => w.IsOf(ResourceType.Deployments) && w.Namespace == AgentNamespace && w.SpecChanged, (w, _) =>
        {
            RollAgentPod(w.Item);
            return Task.CompletedTask;
        });
    }

    private const string AgentNamespace = "kafkademo-agent";

    private readonly IDisposable _agentPods;

    /// <summary>What each broker pod's JMX exporter reports, by pod; <see cref="JmxExporterText.Typical"/> for one not named.</summary>
    public ConcurrentDictionary<string, BrokerJmxValues> BrokerJmx { get; } = new(StringComparer.Ordinal);

    /// <summary>Broker pods whose exporter does not listen: the pod proxy answers 503 "connection refused".</summary>
    public ConcurrentDictionary<string, bool> SilentBrokers { get; } = new(StringComparer.Ordinal);

    /// <summary>vibectl in the agent pod, behind pod exec.</summary>
    public ScriptedVibectl Vibectl { get; }

    public K3dTestApp Test { get; }

    public FakeKubernetesApi Api { get; }

    public EmbeddedKafkaCluster Kafka { get; }

    public FakeDockerAndK3d Tools { get; }

    public SimulatedStrimzi Strimzi { get; }

    /// <summary>Each state of the k3d and kafka resources, in order, without repeats.</summary>
    public ConcurrentQueue<(string Resource, string State)> States { get; } = new();

    public static async Task<FakeCluster> StartAsync()
    {
        var test = K3dTestApp.Create();
        var kafka = EmbeddedKafkaCluster.Start(
            new EmbeddedKafkaOptions { Port = 0, Brokers = 3, Topics = "bootstrap-check", Partitions = 1, ReplicationFactor = 3, RetentionSeconds = 0 },
            NullLogger.Instance);
        var api = await FakeKubernetesApi.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var kubeconfig = Path.Combine(test.StateDirectory, "fake-k3d-output.kubeconfig");
        api.WriteKubeconfig(kubeconfig, "k3d-kafkademo");
        var tools = new FakeDockerAndK3d { Kubeconfig = await File.ReadAllTextAsync(kubeconfig, TestContext.Current.CancellationToken) };
        var strimzi = new SimulatedStrimzi(api, kafka.BootstrapServers, kafka.CreateTopic);
        return new FakeCluster(test, api, kafka, tools, strimzi);
    }

    /// <summary>The AppHost in k3d mode with the fakes in place of docker, k3d and the cluster, started, with its states recorded.</summary>
    public Task<DistributedApplication> StartAppAsync(params string[] extra) => StartAppAsync(configure: null, extra);

    /// <param name="configure">Changes to the app's model before it is built (settings of one resource, say).</param>
    /// <param name="extra">AppHost arguments.</param>
    public async Task<DistributedApplication> StartAppAsync(Action<IDistributedApplicationTestingBuilder>? configure, params string[] extra)
    {
        var builder = await Test.BuilderAsync(
        [
            $"--KafkaDemo:K3d:StrimziManifest={SharedReference.File("strimzi/1.2.0/install-cluster-operator")}",
            .. extra,
        ]);
        configure?.Invoke(builder);
        builder.Services.AddSingleton<IProcessRunner>(Tools);
        var app = await builder.BuildAsync(TestContext.Current.CancellationToken);
        _ = RecordStatesAsync(app.ResourceNotifications);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    /// <summary>Everything a resource logged to its console so far.</summary>
    public static async Task<string> LogsAsync(DistributedApplication app, string resource)
    {
        var lines = new List<string>();
        await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(resource))
        {
            lines.AddRange(batch.Select(l => l.Content));
        }

        return string.Join('\n', lines);
    }

    private async Task RecordStatesAsync(ResourceNotificationService notifications)
    {
        var last = new Dictionary<string, string>();
        try
        {
            await foreach (var e in notifications.WatchAsync(TestContext.Current.CancellationToken))
            {
                if (e.Resource.Name is "k3d" or "kafka" or "vibectl" && e.Snapshot.State?.Text is { Length: > 0 } state
                    && (!last.TryGetValue(e.Resource.Name, out var before) || before != state))
                {
                    last[e.Resource.Name] = state;
                    States.Enqueue((e.Resource.Name, state));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public IReadOnlyList<string> StatesOf(string resource) => [.. States.Where(s => s.Resource == resource).Select(s => s.State)];

    /// <summary>What the Deployment controller and the kubelet do for the agent: a new ready pod for each pod template.</summary>
    private void RollAgentPod(JsonObject deployment)
    {
        foreach (var old in Api.List(ResourceType.Pods, AgentNamespace))
        {
            Api.Delete(ResourceType.Pods, AgentNamespace, (string)old["metadata"]!["name"]!);
        }

        var labels = deployment["spec"]!["template"]!["metadata"]!["labels"]!.DeepClone();
        Api.Put(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = $"vibectl-{Guid.NewGuid():N}"[..20], ["namespace"] = AgentNamespace, ["labels"] = labels },
            ["spec"] = deployment["spec"]!["template"]!["spec"]!.DeepClone(),
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
            },
        });
    }

    public async ValueTask DisposeAsync()
    {
        Strimzi.Dispose();
        _agentPods.Dispose();
        await Api.DisposeAsync();
        Kafka.Dispose();
        Test.Dispose();
    }
}
