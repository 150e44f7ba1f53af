using System.Globalization;
using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The <c>meta.k8s.io/v1 Table</c> form kubectl asks for when it prints (Accept: ...;as=Table):
/// a Name and an Age column, with each row's object as PartialObjectMetadata (or whole, with includeObject=Object).
/// </summary>
internal static class TableView
{
    public static bool Wanted(string? accept) => accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Of(IEnumerable<JsonObject> items, long resourceVersion, string? includeObject, DateTimeOffset now)
    {
        var rows = new JsonArray();
        foreach (var item in items)
        {
            var row = new JsonObject
            {
                ["cells"] = new JsonArray(JsonFields.Text(item, "metadata", "name"), Age(item, now)),
            };
            if (includeObject != "None")
            {
                row["object"] = includeObject == "Object"
                    ? item.DeepClone()
                    : new JsonObject { ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = item["metadata"]?.DeepClone() };
            }

            rows.Add(row);
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["columnDefinitions"] = new JsonArray(
                Column("Name", "name", "Name must be unique within a namespace."),
                Column("Age", "", "CreationTimestamp is a timestamp representing the server time when this object was created.")),
            ["rows"] = rows,
        };
    }

    private static JsonObject Column(string name, string format, string description) => new()
    {
        ["name"] = name,
        ["type"] = "string",
        ["format"] = format,
        ["description"] = description,
        ["priority"] = 0,
    };

    private static string Age(JsonObject item, DateTimeOffset now)
    {
        if (KubeTime.Parse(JsonFields.Text(item, "metadata", "creationTimestamp")) is not { } created)
        {
            return "<unknown>";
        }

        var age = now - created;
        return age.TotalSeconds < 120 ? $"{Math.Max(0, (int)age.TotalSeconds)}s"
            : age.TotalMinutes < 180 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
