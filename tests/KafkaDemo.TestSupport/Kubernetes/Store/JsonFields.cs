using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>Reads fields of an object without throwing on the wrong JSON type.</summary>
internal static class JsonFields
{
    public static string? Text(JsonNode? node, params string[] path)
    {
        foreach (var name in path)
        {
            node = node is JsonObject map ? map[name] : null;
        }

        return node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
    }

    /// <summary>The strings of a list field (other entries skipped); empty if the field is not a list.</summary>
    public static string[] Strings(JsonNode? item, string field) =>
        (item as JsonObject)?[field] is JsonArray list
            ? [.. list.Select(v => v is JsonValue value && value.TryGetValue<string>(out var text) ? text : null).OfType<string>()]
            : [];

    public static JsonObject Metadata(JsonObject item)
    {
        if (item["metadata"] is not JsonObject metadata)
        {
            metadata = [];
            item["metadata"] = metadata;
        }

        return metadata;
    }
}
