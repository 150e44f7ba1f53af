using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KafkaDemo.Overseer.StrimziWatch;

/// <summary>One setting that changed, such as <c>num.io.threads 2→4</c>.</summary>
/// <param name="Path">Where: a broker config key, or a field of the node pool (resources.limits.memory, jvmOptions.-Xmx, replicas), of a topic (config.retention.ms), or of the metadata (metadata.annotations.strimzi.io/pause-reconciliation).</param>
/// <param name="Before">The old value, or null when it was added.</param>
/// <param name="After">The new value, or null when it was removed.</param>
public sealed record SpecChange(string Path, string? Before, string? After)
{
    public override string ToString() => $"{Path} {Before ?? "(unset)"}→{After ?? "(unset)"}";
}

/// <summary>A change and the field it is in, as names from the object's root (for <see cref="ManagedFields"/>).</summary>
public sealed record FieldChange(IReadOnlyList<string> Field, SpecChange Change);

/// <summary>What changed between two versions of the Kafka, KafkaNodePool or KafkaTopic resource's spec.</summary>
public static class SpecDiff
{
    /// <summary>Changes to <c>spec.kafka.config</c>, by key.</summary>
    public static IReadOnlyList<SpecChange> KafkaConfig(JsonObject? before, JsonObject? after) => Plain(KafkaConfigFields(before, after));

    /// <summary>Changes to the rest of a Kafka resource's spec that roll the brokers (version, JVM options, listeners...), as paths.</summary>
    public static IReadOnlyList<SpecChange> KafkaOther(JsonObject? before, JsonObject? after) => Plain(KafkaOtherFields(before, after));

    /// <summary>Changes to a node pool's spec: replicas, resources, JVM options, storage.</summary>
    public static IReadOnlyList<SpecChange> NodePool(JsonObject? before, JsonObject? after) => Plain(WholeSpec(before, after));

    /// <summary>Changes to a topic's spec: partitions, replicas, topicName, each config key (config.retention.ms).</summary>
    public static IReadOnlyList<SpecChange> Topic(JsonObject? before, JsonObject? after) => Plain(WholeSpec(before, after));

    /// <summary>
    /// Every change to the spec of a resource of <paramref name="kind"/> (Kafka: its config by key,
    /// then the rest; any other kind: its whole spec) and to its metadata (<see cref="MetadataDiff"/>).
    /// </summary>
    public static IReadOnlyList<FieldChange> Of(string kind, JsonObject? before, JsonObject? after) =>
        kind == "Kafka"
            ? [.. KafkaConfigFields(before, after), .. KafkaOtherFields(before, after), .. MetadataDiff.Of(before, after)]
            : [.. WholeSpec(before, after), .. MetadataDiff.Of(before, after)];

    /// <summary>Only the spec part of <see cref="Of"/>.</summary>
    public static IReadOnlyList<FieldChange> SpecOf(string kind, JsonObject? before, JsonObject? after) =>
        kind == "Kafka" ? [.. KafkaConfigFields(before, after), .. KafkaOtherFields(before, after)] : WholeSpec(before, after);

    private static List<FieldChange> KafkaConfigFields(JsonObject? before, JsonObject? after) =>
        Leaves(before?["spec"]?["kafka"]?["config"], after?["spec"]?["kafka"]?["config"], ["spec", "kafka", "config"], "", recurse: false);

    private static List<FieldChange> KafkaOtherFields(JsonObject? before, JsonObject? after)
    {
        var a = before?["spec"]?.DeepClone().AsObject();
        var b = after?["spec"]?.DeepClone().AsObject();
        (a?["kafka"] as JsonObject)?.Remove("config");
        (b?["kafka"] as JsonObject)?.Remove("config");
        return Leaves(a, b, ["spec"], "", recurse: true);
    }

    private static List<FieldChange> WholeSpec(JsonObject? before, JsonObject? after) =>
        Leaves(before?["spec"], after?["spec"], ["spec"], "", recurse: true);

    private static IReadOnlyList<SpecChange> Plain(List<FieldChange> changes) => [.. changes.Select(c => c.Change)];

    /// <summary>
    /// The leaves that differ under <paramref name="before"/> and <paramref name="after"/>: the keys
    /// of the top object always, objects below it only when <paramref name="recurse"/> (otherwise a
    /// nested value is compared whole). Lists are compared whole. Paths join names with dots after
    /// <paramref name="prefix"/>; <paramref name="root"/> is where the compared nodes sit.
    /// </summary>
    internal static List<FieldChange> Leaves(JsonNode? before, JsonNode? after, IReadOnlyList<string> root, string prefix, bool recurse)
    {
        var changes = new List<FieldChange>();
        Walk(before, after, prefix, [.. root], top: true);
        return changes;

        void Walk(JsonNode? a, JsonNode? b, string path, List<string> field, bool top)
        {
            if ((a is JsonObject || b is JsonObject) && (recurse || top))
            {
                var x = a as JsonObject;
                var y = b as JsonObject;
                foreach (var key in (x?.Select(p => p.Key) ?? []).Union(y?.Select(p => p.Key) ?? []).Order(StringComparer.Ordinal))
                {
                    Walk(x?[key], y?[key], path.Length == 0 ? key : $"{path}.{key}", [.. field, key], top: false);
                }

                return;
            }

            var before = Text(a);
            var after = Text(b);
            if (before != after)
            {
                changes.Add(new FieldChange(field, new SpecChange(path, before, after)));
            }
        }
    }

    internal static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) => d.ToString(CultureInfo.InvariantCulture),
        _ => node.ToJsonString(),
    };
}
