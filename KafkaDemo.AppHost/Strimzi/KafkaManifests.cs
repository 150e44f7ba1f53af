using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Manifests;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.DeploymentContract.Strimzi;

namespace KafkaDemo.AppHost.Strimzi;

/// <summary>
/// The Kafka cluster's objects: the kustomization in <c>k3d/kafka</c>, with the broker count, node
/// ports, replication, storage, topics and extra broker settings of the AppHost's configuration.
/// With the default configuration the result is exactly the files.
/// </summary>
public static class KafkaManifests
{
    public const string Folder = "k3d/kafka";

    /// <summary>The external listener, reached from the host through the k3d port mappings.</summary>
    public const string ExternalListener = "external";

    /// <summary>What each broker advertises: the host end of the k3d port mapping.</summary>
    public const string AdvertisedHost = "127.0.0.1";

    /// <summary>Selects the broker pods Strimzi runs for the cluster.</summary>
    public const string BrokerPodSelector = "strimzi.io/cluster=" + StrimziNames.KafkaName + ",strimzi.io/broker-role=true";

    public static IReadOnlyList<JsonObject> Files() => ManifestFiles.Kustomize(Folder);

    public static IReadOnlyList<JsonObject> Render(KafkaLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var objects = Files().ToList();
        var kafka = Single(objects, "Kafka");
        var pool = Single(objects, "KafkaNodePool");
        var template = objects.First(o => (string?)o["kind"] == "KafkaTopic");
        objects.RemoveAll(o => (string?)o["kind"] == "KafkaTopic");

        ShapeNodePool(pool, layout.K3d);
        ShapeListener(kafka, layout.K3d);
        ShapeConfig(kafka, layout);
        objects.AddRange(layout.Topics.Names.Select(name => Topic(template, name, layout)));
        return objects;
    }

    /// <summary>A KafkaTopic's <c>metadata.name</c>: a DNS name, unique per topic even when the topic name is not one.</summary>
    public static string TopicResourceName(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var name = new string([.. topic.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-')]).Trim('-', '.');
        if (name == topic && name.Length <= 200)
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(topic)))[..8];
        return $"{(name.Length == 0 ? "topic" : name[..Math.Min(name.Length, 200)])}-{hash}";
    }

    private static void ShapeNodePool(JsonObject pool, K3dSettings k3d)
    {
        var spec = pool["spec"]!.AsObject();
        spec["replicas"] = k3d.Brokers;
        if (k3d.PersistentStorage)
        {
            spec["storage"]!["volumes"] = new JsonArray(new JsonObject
            {
                ["id"] = 0,
                ["type"] = "persistent-claim",
                ["size"] = "8Gi",
                ["deleteClaim"] = true,
                ["kraftMetadata"] = "shared",
            });
        }
    }

    private static void ShapeListener(JsonObject kafka, K3dSettings k3d)
    {
        var listener = kafka["spec"]!["kafka"]!["listeners"]!.AsArray()
            .Single(l => (string?)l!["name"] == ExternalListener)!.AsObject();
        var configuration = listener["configuration"]!.AsObject();
        configuration["bootstrap"] = new JsonObject { ["nodePort"] = k3d.NodePort };
        configuration["brokers"] = new JsonArray([.. Enumerable.Range(0, k3d.Brokers).Select(id => (JsonNode)new JsonObject
        {
            ["broker"] = id,
            ["nodePort"] = k3d.NodePort + 1 + id,
            ["advertisedHost"] = AdvertisedHost,
            ["advertisedPort"] = k3d.NodePort + 1 + id,
        })]);
    }

    private static void ShapeConfig(JsonObject kafka, KafkaLayout layout)
    {
        var config = kafka["spec"]!["kafka"]!["config"]!.AsObject();
        config["default.replication.factor"] = layout.ReplicationFactor;
        config["min.insync.replicas"] = layout.MinInSyncReplicas;
        config["offsets.topic.replication.factor"] = layout.ReplicationFactor;
        config["transaction.state.log.replication.factor"] = layout.ReplicationFactor;
        config["transaction.state.log.min.isr"] = layout.MinInSyncReplicas;
        foreach (var (key, value) in layout.K3d.BrokerConfig)
        {
            if (StrimziConfigRules.ForbiddenReason(key) is { } reason)
            {
                throw new InvalidOperationException($"KafkaDemo:K3d:BrokerConfig:{key}: {reason}");
            }

            config[key] = BrokerConfigValue.Parse(value);
        }
    }

    private static JsonObject Topic(JsonObject template, string name, KafkaLayout layout)
    {
        var topic = template.DeepClone().AsObject();
        topic["metadata"]!["name"] = TopicResourceName(name);
        var spec = topic["spec"]!.AsObject();
        spec["topicName"] = name;
        spec["partitions"] = layout.Partitions;
        spec["replicas"] = layout.ReplicationFactor;
        var (retention, segment) = layout.Retention();
        var config = spec["config"]!.AsObject();
        config["min.insync.replicas"] = layout.MinInSyncReplicas;
        config["retention.bytes"] = retention;
        config["segment.bytes"] = segment;
        return topic;
    }

    private static JsonObject Single(IEnumerable<JsonObject> objects, string kind) =>
        objects.Single(o => (string?)o["kind"] == kind);
}
