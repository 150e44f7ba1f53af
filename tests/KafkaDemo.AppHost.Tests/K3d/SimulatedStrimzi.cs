using System.Globalization;
using System.Text.Json.Nodes;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// What the Strimzi operator and Kubernetes do in answer to the AppHost's objects, played on the fake
/// API server: Deployments become available (the fake's scripted controller), a Kafka resource goes
/// through NotReady while it gets broker pods and a pod set, then Ready with its external listener
/// pointing at an embedded Kafka, and each KafkaTopic becomes a topic there.
/// </summary>
internal sealed class SimulatedStrimzi : IDisposable
{
    public static readonly ResourceType Kafkas = ScriptedControllers.Kafkas;
    public static readonly ResourceType KafkaNodePools = new("kafka.strimzi.io", "v1", "kafkanodepools");
    public static readonly ResourceType KafkaTopics = new("kafka.strimzi.io", "v1", "kafkatopics");
    public static readonly ResourceType StrimziPodSets = new("core.strimzi.io", "v1", "strimzipodsets");

    private readonly FakeKubernetesApi _api;
    private readonly List<IDisposable> _reactions = [];

    public SimulatedStrimzi(FakeKubernetesApi api, string bootstrapServers, Action<string, int, int> createTopic)
    {
        _api = api;
        _reactions.Add(api.DeploymentsBecomeAvailable());
        _reactions.Add(api.OnWrite(w => w.IsOf(Kafkas) && w.SpecChanged && w.ThroughApi, (w, ct) => ReconcileKafkaAsync(w, bootstrapServers, ct)));
        _reactions.Add(api.OnWrite(w => w.IsOf(KafkaTopics) && w.SpecChanged && w.ThroughApi, (w, _) =>
        {
            var spec = w.Item["spec"]!;
            createTopic((string)spec["topicName"]!, (int)spec["partitions"]!, (int)spec["replicas"]!);
            api.PatchStatus(KafkaTopics, w.Namespace, w.Name, new JsonObject
            {
                ["observedGeneration"] = w.Generation,
                ["topicName"] = (string)spec["topicName"]!,
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
            });
            return Task.CompletedTask;
        }));
    }

    /// <summary>When set, Kafka never becomes Ready and its NotReady condition says this.</summary>
    public string? NeverReadyMessage { get; set; }

    /// <summary>Kafka resources reconciled so far.</summary>
    public int Reconciliations { get; private set; }

    private async Task ReconcileKafkaAsync(ObjectWrite write, string bootstrapServers, CancellationToken cancellationToken)
    {
        Reconciliations++;
        var ns = write.Namespace;
        _api.PatchStatus(Kafkas, ns, write.Name, Status(write, "NotReady", "True", "Creating", "Creating the Kafka cluster"));
        var pool = _api.List(KafkaNodePools, ns).Single();
        var poolName = (string)pool["metadata"]!["name"]!;
        var brokers = (int)pool["spec"]!["replicas"]!;
        _api.Put(new JsonObject
        {
            ["apiVersion"] = "core.strimzi.io/v1",
            ["kind"] = "StrimziPodSet",
            ["metadata"] = new JsonObject { ["name"] = $"{write.Name}-{poolName}", ["namespace"] = ns, ["labels"] = Labels(write.Name) },
            ["spec"] = new JsonObject { ["pods"] = new JsonArray() },
        });
        for (var id = 0; id < brokers; id++)
        {
            await Task.Delay(50, cancellationToken);
            _api.Put(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = new JsonObject { ["name"] = string.Create(CultureInfo.InvariantCulture, $"{write.Name}-{poolName}-{id}"), ["namespace"] = ns, ["labels"] = Labels(write.Name) },
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "kafka", ["image"] = "quay.io/strimzi/kafka:1.2.0-kafka-4.3.1" }) },
                ["status"] = new JsonObject
                {
                    ["phase"] = "Running",
                    ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
                    // k3s's pod network (10.42.0.0/16): the API server's pod proxy dials this address.
                    ["podIP"] = string.Create(CultureInfo.InvariantCulture, $"10.42.{id}.7"),
                    ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = string.Create(CultureInfo.InvariantCulture, $"10.42.{id}.7") }),
                },
            });
        }

        if (NeverReadyMessage is { } message)
        {
            _api.PatchStatus(Kafkas, ns, write.Name, Status(write, "NotReady", "True", "Timeout", message));
            return;
        }

        var ready = Status(write, "Ready", "True", null, null);
        ready["listeners"] = new JsonArray(
            new JsonObject { ["name"] = "plain", ["bootstrapServers"] = $"{write.Name}-kafka-bootstrap.{ns}.svc:9092" },
            new JsonObject { ["name"] = "external", ["bootstrapServers"] = bootstrapServers });
        ready["kafkaVersion"] = "4.3.1";
        _api.PatchStatus(Kafkas, ns, write.Name, ready);
    }

    private static JsonObject Status(ObjectWrite write, string type, string status, string? reason, string? message)
    {
        var condition = new JsonObject { ["type"] = type, ["status"] = status };
        if (reason is not null)
        {
            condition["reason"] = reason;
        }

        if (message is not null)
        {
            condition["message"] = message;
        }

        return new JsonObject { ["observedGeneration"] = write.Generation, ["conditions"] = new JsonArray(condition) };
    }

    private static JsonObject Labels(string cluster) => new()
    {
        ["strimzi.io/cluster"] = cluster,
        ["strimzi.io/kind"] = "Kafka",
        ["strimzi.io/broker-role"] = "true",
    };

    public void Dispose()
    {
        foreach (var reaction in _reactions)
        {
            reaction.Dispose();
        }
    }
}
