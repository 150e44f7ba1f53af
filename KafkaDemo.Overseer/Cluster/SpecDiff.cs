using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KafkaDemo.Overseer.Cluster;

/// <summary>One setting that changed, such as <c>num.io.threads 2→4</c>.</summary>
/// <param name="Path">Where: a broker config key, or a field of the node pool (resources.limits.memory, jvmOptions.-Xmx, replicas).</param>
/// <param name="Before">The old value, or null when it was added.</param>
/// <param name="After">The new value, or null when it was removed.</param>
public sealed record SpecChange(string Path, string? Before, string? After)
{
    public override string ToString() => $"{Path} {Before ?? "(unset)"}→{After ?? "(unset)"}";
}

/// <summary>What changed between two versions of the Kafka or KafkaNodePool resource's spec.</summary>
public static class SpecDiff
{
    /// <summary>Changes to <c>spec.kafka.config</c>, by key.</summary>
    public static IReadOnlyList<SpecChange> KafkaConfig(JsonObject? before, JsonObject? after) =>
        Leaves(before?["spec"]?["kafka"]?["config"], after?["spec"]?["kafka"]?["config"], "", flattenKeys: false);

    /// <summary>Changes to the rest of a Kafka resource's spec that roll the brokers (version, JVM options, listeners...), as paths.</summary>
    public static IReadOnlyList<SpecChange> KafkaOther(JsonObject? before, JsonObject? after)
    {
        var a = before?["spec"]?.DeepClone().AsObject();
        var b = after?["spec"]?.DeepClone().AsObject();
        a?["kafka"]?.AsObject().Remove("config");
        b?["kafka"]?.AsObject().Remove("config");
        return Leaves(a, b, "", flattenKeys: true);
    }

    /// <summary>Changes to a node pool's spec: replicas, resources, JVM options, storage.</summary>
    public static IReadOnlyList<SpecChange> NodePool(JsonObject? before, JsonObject? after) =>
        Leaves(before?["spec"], after?["spec"], "", flattenKeys: true);

    private static List<SpecChange> Leaves(JsonNode? before, JsonNode? after, string prefix, bool flattenKeys)
    {
        var changes = new List<SpecChange>();
        Walk(before, after, prefix);
        return changes;

        void Walk(JsonNode? a, JsonNode? b, string path)
        {
            if ((a is JsonObject || b is JsonObject) && (flattenKeys || path.Length == 0))
            {
                var x = a as JsonObject;
                var y = b as JsonObject;
                foreach (var key in (x?.Select(p => p.Key) ?? []).Union(y?.Select(p => p.Key) ?? []).Order(StringComparer.Ordinal))
                {
                    Walk(x?[key], y?[key], path.Length == 0 ? key : $"{path}.{key}");
                }

                return;
            }

            var before = Text(a);
            var after = Text(b);
            if (before != after)
            {
                changes.Add(new SpecChange(path, before, after));
            }
        }
    }

    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) => d.ToString(CultureInfo.InvariantCulture),
        _ => node.ToJsonString(),
    };
}
