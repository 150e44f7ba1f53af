extern alias embedded;

using System.Collections.Concurrent;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using embedded::KafkaDemo.EmbeddedKafka.Cluster;
using KafkaDemo.AppHost.Tools;
using KafkaDemo.DeploymentContract.Load;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.BrokerMetrics;
using System.Text.Json.Nodes;
using KafkaDemo.TestSupport.Kubernetes;
using KafkaDemo.TestSupport.AgentContainer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// Everything a k3d-mode run needs, without Docker: a scripted docker and k3d, a fake Kubernetes API
/// server that the AppHost's real KubernetesClient talks to (with its Deployment controller running
/// the agent's pod, and the agent container's programs behind pod exec), a simulated Strimzi, and an
/// embedded Kafka that the Kafka resource's status points at.
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
        // Each broker pod's JMX exporter on 9404, behind the API server's pod proxy.
        api.OnPodProxy(request => Task.FromResult(request is { Namespace: "kafka", Port: 9404, Path: "/metrics", Method: "GET" } && !SilentBrokers.ContainsKey(request.Pod)
            ? PodProxyResponse.Prometheus(JmxExporterText.Render(BrokerJmx.GetValueOrDefault(request.Pod, JmxExporterText.Typical)))
            : null));

        // k3d writes host.k3d.internal, at the cluster network's gateway, into CoreDNS's NodeHosts when the cluster
        // starts (k3d v5.9.0 pkg/client/cluster.go ClusterStart, "inject host-gateway as host.k3d.internal"; the address
        // is GatherEnvironmentInfo's HostGateway: pkg/client/host.go GetHostIP, the network's gateway with native Docker).
        // That one name, and no other, resolves for the pods' programs; the gateway is the one the scripted docker's
        // network inspect reports, which is where the AppHost's OTLP forwarder listens.
        tools.OnClusterUp = name =>
        {
            if (tools.Networks.TryGetValue($"k3d-{name}", out var gateway))
            {
                api.AddNodeHost(K3dInternalHost, gateway);
            }
        };

        // The same agent pods as the IntegrationTests' AgentWorld, run from the Deployment the AppHost applies.
        _agentPods = AgentPods.Run(api, new AgentContainerOptions
        {
            Image = AgentImage.FromRepository(KafkaDemo.AppHost.Agent.AgentImage.Reference),
            Time = new FastForwardTime(PodClockFactor),
        });
    }

    /// <summary>How many times faster every wait in the agent's pod passes (vibectl's interval, coreutils timeout).</summary>
    public const double PodClockFactor = 100;

    private readonly AgentPods _agentPods;

    /// <summary>The agent container's programs (vibectl 0.11.6, llm 0.26, the real kubectl), behind pod exec.</summary>
    public AgentContainerPrograms Agent => _agentPods.Programs;

    /// <summary>vibectl in the agent's current pod.</summary>
    public AgentView Vibectl => _agentPods.View;

    /// <summary>What each broker pod's JMX exporter reports, by pod; <see cref="JmxExporterText.Typical"/> for one not named.</summary>
    public ConcurrentDictionary<string, BrokerJmxValues> BrokerJmx { get; } = new(StringComparer.Ordinal);

    /// <summary>Broker pods whose exporter does not listen: the pod proxy answers 503 "connection refused".</summary>
    public ConcurrentDictionary<string, bool> SilentBrokers { get; } = new(StringComparer.Ordinal);

    public K3dTestApp Test { get; }

    public FakeKubernetesApi Api { get; }

    public EmbeddedKafkaCluster Kafka { get; }

    public FakeDockerAndK3d Tools { get; }

    public SimulatedStrimzi Strimzi { get; }

    /// <summary>Each state of the k3d, kafka, vibectl, producer and consumer resources, in order, without repeats.</summary>
    public ConcurrentQueue<(string Resource, string State)> States { get; } = new();

    /// <summary>Every snapshot of the k3d, kafka, vibectl, producer and consumer resources, in the order Aspire published them.</summary>
    public ConcurrentQueue<(string Resource, CustomResourceSnapshot Snapshot)> Snapshots { get; } = new();

    /// <summary>
    /// The load's images run as the real Producer and Consumer processes (their build output, beside this
    /// test's), with the environment the fake's kubelet computes from the Deployments the AppHost applies;
    /// Strimzi's plain listener, which the AppHost renders into the load's settings, resolves to the
    /// embedded Kafka. Each consumer pod gets a state directory of its own (its emptyDir in a real pod).
    /// </summary>
    public void RunLoadAsProcesses()
    {
        Api.AddClusterDns(PlainBootstrap, Kafka.BootstrapServers);
        Api.RunImage("kafkademo-producer:*", launch => ContainerCommand.Service("KafkaDemo.Producer", launch, LoadDeployment.HttpPort, []));
        Api.RunImage("kafkademo-consumer:*", launch => ContainerCommand.Service("KafkaDemo.Consumer", launch, LoadDeployment.HttpPort, [$"--Consumer:StateDirectory={Path.Combine(Test.StateDirectory, "pods", launch.Pod)}"]));
    }

    /// <summary>k3d v5.9.0 pkg/types/defaults.go DefaultK3dInternalHostRecord.</summary>
    public const string K3dInternalHost = "host.k3d.internal";

    /// <summary>Strimzi's internal (plain) listener of the Kafka the AppHost applies, as its status reports it.</summary>
    public const string PlainBootstrap = "kafkademo-kafka-bootstrap.kafka.svc:9092";

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

    /// <summary>
    /// The AppHost's arguments for KafkaDemo:Placement=cluster with a load this machine's two cores carry beside
    /// everything else the test runs: <paramref name="producers"/> and <paramref name="consumers"/> pods and a total
    /// <paramref name="rate"/> in messages per second. With <paramref name="controller"/> false the controller is off,
    /// so the rate stays as set and the only changes are the ones the test makes.
    /// </summary>
    public static string[] LightPlacementArgs(int producers, int consumers, int rate, bool controller = true) =>
    [
        "--KafkaDemo:Placement=cluster",
        string.Create(CultureInfo.InvariantCulture, $"--KafkaDemo:Producers={producers}"),
        string.Create(CultureInfo.InvariantCulture, $"--KafkaDemo:Consumers={consumers}"),
        string.Create(CultureInfo.InvariantCulture, $"--KafkaDemo:Rate={rate}"),
        .. controller ? Array.Empty<string>() : ["--KafkaDemo:Controller:Enabled=false"],
    ];

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

    /// <summary>A cluster Deployment resource's "Ready" property ("2/3 ready").</summary>
    public static string? ReadyOf(CustomResourceSnapshot snapshot) => snapshot.Properties.FirstOrDefault(p => p.Name == "Ready")?.Value as string;

    /// <summary>Waits until <paramref name="resource"/>'s snapshot satisfies <paramref name="predicate"/>, failing with its log after <paramref name="within"/> (2 minutes unless given).</summary>
    public static async Task WaitForAsync(DistributedApplication app, string resource, Func<CustomResourceSnapshot, bool> predicate, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromMinutes(2);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            await app.ResourceNotifications.WaitForResourceAsync(resource, e => predicate(e.Snapshot), deadline.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"{resource} did not get there within {limit.TotalSeconds} s. Its log:\n{await LogsAsync(app, resource)}");
        }
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
                if (e.Resource.Name is "k3d" or "kafka" or "vibectl" or "producer" or "consumer")
                {
                    Snapshots.Enqueue((e.Resource.Name, e.Snapshot));
                }

                if (e.Resource.Name is "k3d" or "kafka" or "vibectl" or "producer" or "consumer" && e.Snapshot.State?.Text is { Length: > 0 } state
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

    /// <summary>
    /// The states of <paramref name="resource"/> recorded up to <paramref name="state"/>, once the
    /// recorder has it. The recorder reads its own WatchAsync stream, so a test that saw the state
    /// through WaitForResourceAsync may still be ahead of it.
    /// </summary>
    public async Task<IReadOnlyList<string>> StatesThroughAsync(string resource, string state)
    {
        await Eventually.TrueAsync(() => Task.FromResult(StatesOf(resource) is [.., var last] && last == state), TimeSpan.FromSeconds(30),
            () => $"The recorder did not see {resource} reach {state}; it has {string.Join(" → ", StatesOf(resource))}.");
        return StatesOf(resource);
    }

    public async ValueTask DisposeAsync()
    {
        Strimzi.Dispose();
        try
        {
            await _agentPods.DisposeAsync();
        }
        finally
        {
            await Api.DisposeAsync();
        }

        Kafka.Dispose();
        Test.Dispose();
    }
}
