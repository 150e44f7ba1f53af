using System.Text.Json.Nodes;

namespace KafkaDemo.Overseer.StrimziWatch;

/// <summary>Reads who made a change from an object's <c>metadata.managedFields</c>.</summary>
public static class ManagedFields
{
    /// <summary>
    /// The field manager that owns the fields at <paramref name="paths"/> (each a list of field
    /// names from the object's root), the most recent one if several do; when none owns them (a
    /// removed field), the manager of the most recent write to the main resource.
    /// </summary>
    public static string ManagerOf(JsonObject item, IEnumerable<IReadOnlyList<string>> paths)
    {
        ArgumentNullException.ThrowIfNull(item);
        var entries = (item["metadata"]?["managedFields"]?.AsArray().OfType<JsonObject>() ?? [])
            .Where(e => (string?)e["subresource"] is null or "")
            .Select(e => (Manager: (string?)e["manager"] ?? "unknown", Time: (string?)e["time"] ?? "", Fields: e["fieldsV1"] as JsonObject))
            .OrderByDescending(e => e.Time, StringComparer.Ordinal)
            .ToList();
        var wanted = paths.ToList();
        foreach (var entry in entries)
        {
            if (entry.Fields is not null && wanted.Any(path => Owns(entry.Fields, path)))
            {
                return entry.Manager;
            }
        }

        return entries.FirstOrDefault().Manager ?? "unknown";
    }

    private static bool Owns(JsonObject fields, IReadOnlyList<string> path)
    {
        JsonNode? node = fields;
        foreach (var name in path)
        {
            node = node?[$"f:{name}"];
            if (node is null)
            {
                return false;
            }
        }

        return true;
    }
}
