using System.Globalization;
using System.Text.Json.Nodes;

namespace KafkaDemo.AppHost.Strimzi;

/// <summary>
/// The broker settings the agent tunes, and two baselines to judge it by: the cluster's modest
/// start (from k3d/kafka/kafka.yaml) and Apache Kafka's own defaults for the same keys.
/// </summary>
public static class BrokerConfigBaselines
{
    public const string Modest = "modest";
    public const string KafkaDefaults = "kafka-defaults";

    /// <summary>Kafka's defaults (the broker configuration reference of Apache Kafka 4.x) for the keys the cluster starts modest on.</summary>
    public static readonly IReadOnlyDictionary<string, string> KafkaDefaultValues = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["num.io.threads"] = "8",
        ["num.network.threads"] = "3",
        ["num.replica.fetchers"] = "1",
        ["socket.send.buffer.bytes"] = "102400",
        ["socket.receive.buffer.bytes"] = "102400",
        ["queued.max.requests"] = "500",
    };

    /// <summary>The tuning keys' values in k3d/kafka/kafka.yaml.</summary>
    public static IReadOnlyDictionary<string, string> ModestValues()
    {
        var config = KafkaManifests.Files().Single(o => (string?)o["kind"] == "Kafka")["spec"]!["kafka"]!["config"]!.AsObject();
        return KafkaDefaultValues.Keys.ToDictionary(k => k, k => Text(config[k] ?? throw new InvalidOperationException($"k3d/kafka/kafka.yaml has no {k}.")), StringComparer.Ordinal);
    }

    /// <summary>Both presets, by name.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Presets() =>
        new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal) { [Modest] = ModestValues(), [KafkaDefaults] = KafkaDefaultValues };

    private static string Text(JsonNode node) =>
        node is JsonValue v && v.TryGetValue<long>(out var n) ? n.ToString(CultureInfo.InvariantCulture) : node.ToString();
}
