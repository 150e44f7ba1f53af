using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Manifests;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.Messaging.Topics;

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
        var (retention, segment) = layout.Retention();
        objects.AddRange(layout.Topics.Names.Select(name => Topic(template, name, layout.Partitions, layout.ReplicationFactor, retention, segment)));
        return objects;
    }

    /// <summary>
    /// The demo's topics as KafkaTopic resources for a Kafka the AppHost did not make: in
    /// <paramref name="kafka"/>'s namespace, labelled <c>strimzi.io/cluster: &lt;its name&gt;</c> so its
    /// Topic Operator takes them, with <paramref name="partitions"/> each and retention as
    /// <c>k3d/kafka/topics.yaml</c> has it (minutes, at most 128 MiB per partition). Replicas, and
    /// <c>min.insync.replicas</c> one fewer, when <paramref name="replicationFactor"/> is known; without
    /// it both are left to the brokers' <c>default.replication.factor</c> and <c>min.insync.replicas</c>
    /// (Strimzi 1.2.0's KafkaTopic CRD: "When absent this will default to the broker configuration").
    /// </summary>
    public static IReadOnlyList<JsonObject> Topics(KafkaTarget kafka, TopicSpec topics, int partitions, int? replicationFactor)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(topics);
        var template = Files().First(o => (string?)o["kind"] == "KafkaTopic");
        var config = template["spec"]!["config"]!;
        var (retention, segment) = (Bytes(config, "retention.bytes"), Bytes(config, "segment.bytes"));
        return [.. topics.Names.Select(name =>
        {
            var topic = Topic(template, name, partitions, replicationFactor, retention, segment);
            topic["metadata"]!["namespace"] = kafka.Namespace;
            topic["metadata"]!["labels"] = new JsonObject { [KafkaTarget.ClusterLabel] = kafka.Name };
            return topic;
        })];
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

    /// <param name="replicationFactor">Null: no replicas and no min.insync.replicas (the brokers' defaults).</param>
    private static JsonObject Topic(JsonObject template, string name, int partitions, int? replicationFactor, long retention, long segment)
    {
        var topic = template.DeepClone().AsObject();
        topic["metadata"]!["name"] = TopicResourceName(name);
        var spec = topic["spec"]!.AsObject();
        spec["topicName"] = name;
        spec["partitions"] = partitions;
        var config = spec["config"]!.AsObject();
        if (replicationFactor is { } replicas)
        {
            spec["replicas"] = replicas;
            config["min.insync.replicas"] = KafkaLayout.MinInSyncReplicasFor(replicas);
        }
        else
        {
            spec.Remove("replicas");
            config.Remove("min.insync.replicas");
        }

        config["retention.bytes"] = retention;
        config["segment.bytes"] = segment;
        return topic;
    }

    private static long Bytes(JsonNode config, string key) => long.Parse(config[key]!.ToJsonString(), CultureInfo.InvariantCulture);

    private static JsonObject Single(IEnumerable<JsonObject> objects, string kind) =>
        objects.Single(o => (string?)o["kind"] == kind);
}
