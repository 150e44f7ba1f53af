extern alias embedded;

using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using embedded::KafkaDemo.EmbeddedKafka.Cluster;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Tests.K3d;
using KafkaDemo.AppHost.Tools;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaDemo.AppHost.Tests.External;

/// <summary>
/// An existing cluster as a user has it, without Docker: the fake Kubernetes API server, optionally
/// with Strimzi 1.2.0's CRDs (the release's own files) and a Ready Kafka kafka/kafkademo whose
/// external nodeport listener points at an embedded Kafka that already has the demo's topics; the
/// user's kubeconfig in a folder of its own, apart from the AppHost's state folder; a scripted docker
/// and k3d that record any call (none is expected, except docker with KafkaDemo:Placement=cluster).
/// Like any running cluster it has kube-controller-manager's Deployment, ReplicaSet and EndpointSlice
/// controllers (<see cref="ScriptedControllers.DeploymentsRunPods"/>): without them a Deployment the
/// AppHost applies would never get a pod or a status, and the AppHost, whose Overseer waits for the
/// load's Deployments, would never finish starting.
/// </summary>
internal sealed class ExistingClusterWorld : IAsyncDisposable
{
    public const string ContextName = "user-cluster";

    private readonly DirectoryInfo _home;

    private readonly IDisposable _controllers;

    private ExistingClusterWorld(FakeKubernetesApi api, EmbeddedKafkaCluster kafka, DirectoryInfo home)
    {
        Api = api;
        Kafka = kafka;
        _home = home;
        _controllers = api.DeploymentsRunPods();
        Directory.CreateDirectory(StateDirectory);
    }

    public FakeKubernetesApi Api { get; }

    public EmbeddedKafkaCluster Kafka { get; }

    public FakeDockerAndK3d Tools { get; } = new();

    /// <summary>The user's kubeconfig (never the AppHost's to write).</summary>
    public string UserKubeconfig => Path.Combine(_home.FullName, "user", "config");

    /// <summary>The AppHost's state folder (KafkaDemo:K3d:StateDirectory), where the Overseer's kubeconfig goes.</summary>
    public string StateDirectory => Path.Combine(_home.FullName, "state");

    public static readonly ResourceType Kafkas = ScriptedControllers.Kafkas;

    public static async Task<ExistingClusterWorld> StartAsync(string? token = null)
    {
        SharedReference.RequireK8sReference();
        var kafka = EmbeddedKafkaCluster.Start(
            new EmbeddedKafkaOptions { Port = 0, Brokers = 3, Topics = "orders,clicks", Partitions = 6, ReplicationFactor = 3, RetentionSeconds = 0 },
            NullLogger.Instance);
        var api = await FakeKubernetesApi.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var world = new ExistingClusterWorld(api, kafka, Directory.CreateTempSubdirectory("kafkademo-existing-"));
        Directory.CreateDirectory(Path.GetDirectoryName(world.UserKubeconfig)!);
        api.WriteKubeconfig(world.UserKubeconfig, ContextName, token);
        return world;
    }

    /// <summary>Strimzi 1.2.0's Kafka, KafkaNodePool and KafkaTopic CRDs, as its release has them, Established.</summary>
    public async Task InstallStrimziCrdsAsync()
    {
        foreach (var file in new[] { "040-Crd-kafka.yaml", "045-Crd-kafkanodepool.yaml", "043-Crd-kafkatopic.yaml" })
        {
            var crd = YamlDocuments.Parse(await File.ReadAllTextAsync(SharedReference.File($"strimzi/1.2.0/{file}"), TestContext.Current.CancellationToken), file).Single();
            Api.Put(crd);
            var name = (string)crd["metadata"]!["name"]!;
            await Eventually.TrueAsync(() => Task.FromResult(
                Api.Get(ResourceType.CustomResourceDefinitions, null, name)?["status"]?["conditions"]?.AsArray().Any(c => (string?)c!["type"] == "Established" && (string?)c["status"] == "True") == true),
                TimeSpan.FromSeconds(10), $"{name} was not Established.");
        }
    }

    public static readonly ResourceType KafkaTopics = new("kafka.strimzi.io", "v1", "kafkatopics");

    /// <summary>
    /// The namespace <paramref name="ns"/> and a Ready Kafka <paramref name="name"/> there, as Strimzi
    /// reports it: plain (internal) and external (nodeport, no TLS) listeners, and a node pool of three
    /// brokers labelled with its name.
    /// </summary>
    public void AddReadyKafka(string ns = "kafka", string name = "kafkademo")
    {
        if (Api.Get(ResourceType.Namespaces, null, ns) is null)
        {
            Api.Put(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        }

        Api.Put(new JsonObject
        {
            ["apiVersion"] = "kafka.strimzi.io/v1",
            ["kind"] = "Kafka",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new JsonObject
            {
                ["kafka"] = new JsonObject
                {
                    ["listeners"] = new JsonArray(
                        new JsonObject { ["name"] = "plain", ["port"] = 9092, ["type"] = "internal", ["tls"] = false },
                        new JsonObject { ["name"] = "external", ["port"] = 9094, ["type"] = "nodeport", ["tls"] = false }),
                },
            },
            ["status"] = new JsonObject
            {
                ["observedGeneration"] = 1,
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
                ["listeners"] = new JsonArray(
                    new JsonObject { ["name"] = "plain", ["bootstrapServers"] = $"{name}-kafka-bootstrap.{ns}.svc:9092" },
                    new JsonObject { ["name"] = "external", ["bootstrapServers"] = Kafka.BootstrapServers }),
            },
        });
        Api.Put(new JsonObject
        {
            ["apiVersion"] = "kafka.strimzi.io/v1",
            ["kind"] = "KafkaNodePool",
            ["metadata"] = new JsonObject { ["name"] = "brokers", ["namespace"] = ns, ["labels"] = new JsonObject { ["strimzi.io/cluster"] = name } },
            ["spec"] = new JsonObject { ["replicas"] = 3, ["roles"] = new JsonArray("controller", "broker") },
        });
    }

    /// <summary>
    /// Strimzi's Topic Operator as far as the AppHost sees it: a KafkaTopic written through the API
    /// becomes Ready for its generation (the embedded Kafka already has the demo's topics).
    /// </summary>
    public IDisposable SimulateTopicOperator() =>
        Api.OnWrite(w => w.IsOf(KafkaTopics) && w.SpecChanged && w.ThroughApi, (w, _) =>
        {
            Api.PatchStatus(KafkaTopics, w.Namespace, w.Name, new JsonObject
            {
                ["observedGeneration"] = w.Generation,
                ["topicName"] = (string?)w.Item["spec"]?["topicName"] ?? w.Name,
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
            });
            return Task.CompletedTask;
        });

    /// <summary>The AppHost in external mode with this cluster's kubeconfig, started.</summary>
    public async Task<DistributedApplication> StartAppAsync(params string[] extra)
    {
        var builder = await TestApp.CreateInModeAsync("external",
        [
            $"--KafkaDemo:External:Kubeconfig={UserKubeconfig}",
            $"--KafkaDemo:K3d:StateDirectory={StateDirectory}",
            .. extra,
        ]);
        builder.Services.AddSingleton<IProcessRunner>(Tools);
        var app = await builder.BuildAsync(TestContext.Current.CancellationToken);
        try
        {
            await LoadEvidence.StartAsync(app, Api, StartDeadline);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    /// <summary>How long the app may take to start: with the load in the cluster, until the Overseer, which waits for the Deployments, has started.</summary>
    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(4);

    /// <summary>Every request that changed something in the cluster (not a read).</summary>
    public IReadOnlyList<RecordedRequest> Writes => [.. Api.Requests.Where(r => r.Method is not ("GET" or "HEAD"))];

    public async ValueTask DisposeAsync()
    {
        _controllers.Dispose();
        await Api.DisposeAsync();
        Kafka.Dispose();
        try
        {
            _home.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
