using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>JSON merge patch (RFC 7386): objects merge key by key, null deletes, anything else replaces.</summary>
internal static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
                continue;
            }

            var existing = result[name];
            var merged = Apply(existing, value);
            if (!ReferenceEquals(existing, merged))
            {
                result[name] = merged;
            }
        }

        return result;
    }
}
