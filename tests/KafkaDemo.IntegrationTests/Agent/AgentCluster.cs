extern alias overseer;

using System.Text.Json.Nodes;
using KafkaDemo.TestSupport.Kubernetes;
using KafkaDemo.TestSupport.Vibectl;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using overseer::KafkaDemo.Overseer.Extensions;

namespace KafkaDemo.IntegrationTests.Agent;

/// <summary>
/// A fake cluster for the agent: the fake Kubernetes API with the Strimzi Kafka and node pool, the
/// agent's Deployment and pod, and a scripted vibectl behind pod exec; and the Overseer's own
/// services, built as the Overseer builds them, pointed at it by a kubeconfig.
/// </summary>
internal sealed class AgentCluster : IAsyncDisposable
{
    public static readonly ResourceType Kafkas = new("kafka.strimzi.io", "v1", "kafkas");
    public static readonly ResourceType NodePools = new("kafka.strimzi.io", "v1", "kafkanodepools");
    public static readonly ResourceType Topics = new("kafka.strimzi.io", "v1", "kafkatopics");

    private readonly string _directory;

    private AgentCluster(FakeKubernetesApi api, ScriptedVibectl vibectl, WebApplication overseer, string directory)
    {
        Api = api;
        Vibectl = vibectl;
        Overseer = overseer;
        _directory = directory;
    }

    public FakeKubernetesApi Api { get; }

    public ScriptedVibectl Vibectl { get; }

    /// <summary>The Overseer's services (built, not started: tests drive the loop and start the watch).</summary>
    public WebApplication Overseer { get; }

    public T Get<T>()
        where T : notnull => Overseer.Services.GetRequiredService<T>();

    public static Task<AgentCluster> StartAsync(bool keySet = true, params string[] settings) => StartAsync(keySet, time: null, settings);

    /// <param name="keySet">Whether the agent's Deployment says its LLM key is set.</param>
    /// <param name="time">The Overseer's clock (a fake one, for the schedule), or the system's.</param>
    /// <param name="settings">Overseer settings, each <c>key=value</c>.</param>
    public static async Task<AgentCluster> StartAsync(bool keySet, TimeProvider? time, params string[] settings)
    {
        var (api, vibectl) = await StartClusterAsync(keySet, "pod-1", ioThreads: 2);

        var directory = Directory.CreateTempSubdirectory("kafkademo-agent-").FullName;
        var kubeconfig = Path.Combine(directory, "kubeconfig");
        api.WriteKubeconfig(kubeconfig);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Overseer:Mode"] = "k3d",
            ["Overseer:Producers:0"] = "http://127.0.0.1:9",
            ["Overseer:Consumers:0"] = "http://127.0.0.1:9",
            ["Overseer:Cluster:Kubeconfig"] = kubeconfig,
            ["Overseer:Cluster:PodPollSeconds"] = "1",
            ["Overseer:Cluster:Presets:modest:num.io.threads"] = "2",
            ["Overseer:Cluster:Presets:modest:num.network.threads"] = "2",
            ["Overseer:Cluster:Presets:kafka-defaults:num.io.threads"] = "8",
            ["Overseer:Cluster:Presets:kafka-defaults:num.network.threads"] = "3",
            ["Overseer:Agent:Enabled"] = "true",
            ["Overseer:Agent:FirstRoundAfterSeconds"] = "86400",
        });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => (string?)p[1]));
        builder.AddOverseer();
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        return new AgentCluster(api, vibectl, builder.Build(), directory);
    }

    /// <summary>The kubeconfig the Overseer reads (the AppHost's, rewritten when it recreates the cluster).</summary>
    public string Kubeconfig => Path.Combine(_directory, "kubeconfig");

    /// <summary>
    /// Another fake cluster with the same objects, as <em>Recreate cluster</em> would make (a new API
    /// port, a new agent pod uid): the caller disposes both.
    /// </summary>
    public static Task<(FakeKubernetesApi Api, ScriptedVibectl Vibectl)> StartSecondClusterAsync(int ioThreads) => StartClusterAsync(true, "pod-on-second-cluster", ioThreads);

    private static async Task<(FakeKubernetesApi, ScriptedVibectl)> StartClusterAsync(bool keySet, string podUid, int ioThreads)
    {
        var api = await FakeKubernetesApi.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        foreach (var (plural, kind) in new[] { ("kafkas", "Kafka"), ("kafkanodepools", "KafkaNodePool"), ("kafkatopics", "KafkaTopic") })
        {
            api.Put(Crd(plural, kind));
        }

        await WaitForServedAsync(api, Kafkas);
        await WaitForServedAsync(api, NodePools);
        await WaitForServedAsync(api, Topics);
        foreach (var ns in new[] { "kafka", "kafkademo-agent" })
        {
            api.Put(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        }

        api.Put(JsonNode.Parse("""
            {"apiVersion":"kafka.strimzi.io/v1","kind":"Kafka","metadata":{"name":"kafkademo","namespace":"kafka"},
             "spec":{"kafka":{"version":"4.3.1","config":{"num.io.threads":IO,"num.network.threads":2}}}}
            """.Replace("IO", ioThreads.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))!.AsObject(), "kafkademo");
        api.Put(JsonNode.Parse("""
            {"apiVersion":"kafka.strimzi.io/v1","kind":"KafkaNodePool","metadata":{"name":"dual","namespace":"kafka","labels":{"strimzi.io/cluster":"kafkademo"}},
             "spec":{"replicas":3,"roles":["controller","broker"],"storage":{"type":"ephemeral"}}}
            """)!.AsObject(), "kafkademo");
        foreach (var topic in new[] { "orders", "clicks" })
        {
            api.Put(JsonNode.Parse("""
                {"apiVersion":"kafka.strimzi.io/v1","kind":"KafkaTopic","metadata":{"name":"TOPIC","namespace":"kafka","labels":{"strimzi.io/cluster":"kafkademo"}},
                 "spec":{"topicName":"TOPIC","partitions":3,"replicas":3,"config":{"min.insync.replicas":2,"retention.bytes":134217728}}}
                """.Replace("TOPIC", topic, StringComparison.Ordinal))!.AsObject(), "kafkademo");
        }

        var annotations = keySet ? new JsonObject { [KafkaDemo.Messaging.Agent.AgentDeployment.KeyAnnotation] = "2026-11-30T05:00:00Z" }.ToJsonString() : "{}";
        api.Put(JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"vibectl","namespace":"kafkademo-agent"},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app.kubernetes.io/name":"vibectl"}},
                     "template":{"metadata":{"labels":{"app.kubernetes.io/name":"vibectl"},"annotations":ANNOTATIONS},
                                 "spec":{"containers":[{"name":"vibectl","image":"kafkademo-vibectl:test"}]}}}}
            """.Replace("ANNOTATIONS", annotations, StringComparison.Ordinal))!.AsObject(), "kafkademo");
        api.Put(JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"vibectl-7d9f-abcde","namespace":"kafkademo-agent","uid":"UID","labels":{"app.kubernetes.io/name":"vibectl"}},
             "spec":{"containers":[{"name":"vibectl","image":"kafkademo-vibectl:test"}]},
             "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}
            """.Replace("UID", podUid, StringComparison.Ordinal))!.AsObject());
        return (api, new ScriptedVibectl(api));
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

    private static JsonObject Crd(string plural, string kind) => JsonNode.Parse("""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"PLURAL.kafka.strimzi.io"},
         "spec":{"group":"kafka.strimzi.io","scope":"Namespaced","names":{"plural":"PLURAL","singular":"SINGULAR","kind":"KIND"},
                 "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
                              "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
        """.Replace("PLURAL", plural, StringComparison.Ordinal).Replace("SINGULAR", kind.ToLowerInvariant(), StringComparison.Ordinal)
            .Replace("KIND", kind, StringComparison.Ordinal))!.AsObject();

    private static Task WaitForServedAsync(FakeKubernetesApi api, ResourceType type) =>
        TestSupport.Eventually.TrueAsync(() => api.ServedResources.Any(r => r.Type.Group == type.Group && r.Type.Plural == type.Plural),
            TimeSpan.FromSeconds(10), $"{type} was not served.");

    public async ValueTask DisposeAsync()
    {
        await Overseer.DisposeAsync();
        await Api.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
