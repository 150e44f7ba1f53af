using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Strimzi;
using KafkaDemo.Messaging.Topics;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.ExistingCluster;

/// <summary>
/// The demo's topics in an existing cluster, as KafkaTopic resources its Kafka's Topic Operator creates
/// (so they exist even where the brokers have <c>auto.create.topics.enable=false</c>, and with the
/// demo's partitions and short retention rather than the brokers' defaults): applied by server-side
/// apply with the field manager <see cref="KubernetesApi.FieldManager"/>, in the Kafka's namespace,
/// labelled <c>strimzi.io/cluster</c> with its name (<see cref="KafkaManifests.Topics"/>). A topic
/// that already has a KafkaTopic of someone else's is used as it is and never changed; nothing is
/// ever deleted.
/// </summary>
public static partial class ExistingClusterTopics
{
    /// <summary>
    /// Applies the KafkaTopics the cluster needs and returns the names of the KafkaTopic resources that
    /// stand for the demo's topics (its own and the user's), to wait for.
    /// </summary>
    /// <param name="requestedReplicationFactor">KafkaDemo:ReplicationFactor, fitted to the brokers the Kafka's node pools have.</param>
    /// <exception cref="ClusterSetupException">A KafkaTopic of the name the demo uses belongs to someone else and is another topic, or the API refused a read or the apply.</exception>
    public static async Task<IReadOnlyList<string>> ApplyAsync(
        KubernetesApi api, KafkaTarget kafka, TopicSpec topics, int partitions, int requestedReplicationFactor, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(log);
        IReadOnlyList<JsonObject> pools, existing;
        try
        {
            (pools, _) = await api.ListAsync(ApiKinds.KafkaNodePool, kafka.Namespace, $"{KafkaTarget.ClusterLabel}={kafka.Name}", cancellationToken);
            (existing, _) = await api.ListAsync(ApiKinds.KafkaTopic, kafka.Namespace, labelSelector: null, cancellationToken);
        }
        catch (KubernetesApiException ex)
        {
            throw new ClusterSetupException(ex.Message, $"The kubeconfig's user needs list on kafkanodepools and kafkatopics (kafka.strimzi.io) in the namespace {kafka.Namespace}.", ex);
        }

        var brokers = Brokers(pools);
        int? replicationFactor = brokers > 0 ? Math.Min(requestedReplicationFactor, brokers) : null;
        if (replicationFactor is null)
        {
            LogNoBrokerCount(log, kafka.ToString());
        }

        var names = new List<string>();
        var applied = new List<string>();
        foreach (var topic in KafkaManifests.Topics(kafka, topics, partitions, replicationFactor))
        {
            var resourceName = (string)topic["metadata"]!["name"]!;
            var topicName = (string)topic["spec"]!["topicName"]!;
            if (existing.FirstOrDefault(e => Label(e) == kafka.Name && TopicName(e) == topicName) is { } same && !IsOurs(same))
            {
                var name = (string)same["metadata"]!["name"]!;
                LogUsedAsItIs(log, topicName, $"{kafka.Namespace}/{name}");
                names.Add(name);
                continue;
            }

            if (existing.FirstOrDefault(e => (string?)e["metadata"]?["name"] == resourceName) is { } taken && !IsOurs(taken))
            {
                throw new ClusterSetupException(
                    $"KafkaTopic {kafka.Namespace}/{resourceName} is there, but it is not the demo's (no server-side apply by {KubernetesApi.FieldManager}) and stands for topic '{TopicName(taken)}' of Kafka '{Label(taken)}', not topic '{topicName}' of {kafka.Name}; the AppHost changes nobody else's KafkaTopic.",
                    "Set KafkaDemo:Topics to topic names that are free in that namespace, or use another namespace (KafkaDemo:External:Namespace).");
            }

            await api.ApplyDuringSetupAsync(topic, log, cancellationToken);
            names.Add(resourceName);
            applied.Add(topicName);
        }

        LogTopics(log, kafka.ToString(), applied.Count == 0 ? "none" : string.Join(", ", applied), KubernetesApi.FieldManager);
        return names;
    }

    /// <summary>The brokers of the Kafka: the replicas of its node pools with the broker role.</summary>
    private static int Brokers(IEnumerable<JsonObject> pools) =>
        pools.Where(p => (p["spec"]?["roles"] as JsonArray ?? []).Any(r => (string?)r == "broker"))
            .Sum(p => (int?)p["spec"]?["replicas"] ?? 0);

    private static string? Label(JsonObject topic) => (string?)topic["metadata"]?["labels"]?[KafkaTarget.ClusterLabel];

    /// <summary>The Kafka topic a KafkaTopic stands for: spec.topicName, or else its name (Strimzi's CRD).</summary>
    private static string? TopicName(JsonObject topic) => (string?)topic["spec"]?["topicName"] ?? (string?)topic["metadata"]?["name"];

    /// <summary>Whether the demo applied it before: an Apply entry of its field manager in managedFields.</summary>
    private static bool IsOurs(JsonObject topic) =>
        (topic["metadata"]?["managedFields"] as JsonArray ?? []).Any(e => (string?)e?["manager"] == KubernetesApi.FieldManager && (string?)e?["operation"] == "Apply");

    [LoggerMessage(Level = LogLevel.Information, Message = "The demo's topics are KafkaTopic resources of Kafka {Kafka}, made by its Topic Operator (so they exist even with auto.create.topics.enable=false): applied {Topics} (server-side apply, field manager {Manager}). Nothing is ever deleted; they stay when the AppHost stops.")]
    private static partial void LogTopics(ILogger logger, string kafka, string topics, string manager);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic {Topic} already has a KafkaTopic that is not the demo's, {Resource}: used as it is, never changed.")]
    private static partial void LogUsedAsItIs(ILogger logger, string topic, string resource);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka {Kafka} has no node pool with the broker role labelled with its name, so the demo's KafkaTopics leave replicas and min.insync.replicas to the brokers' defaults.")]
    private static partial void LogNoBrokerCount(ILogger logger, string kafka);
}
