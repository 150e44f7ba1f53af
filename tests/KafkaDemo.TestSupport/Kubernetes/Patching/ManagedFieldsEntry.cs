using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>One entry of <c>metadata.managedFields</c>: which fields one manager owns through one operation.</summary>
internal sealed class ManagedFieldsEntry
{
    public required string Manager { get; init; }

    /// <summary>"Apply" or "Update".</summary>
    public required string Operation { get; init; }

    public required string ApiVersion { get; set; }

    /// <summary>RFC 3339, or empty for an entry without a time (an Update through <c>scale</c>: see <see cref="RecordUpdate"/>).</summary>
    public required string Time { get; set; }

    /// <summary>"status" or "scale" for writes through that subresource, null for the main resource.</summary>
    public string? Subresource { get; init; }

    public required FieldSet Fields { get; set; }

    public bool Is(string manager, string operation, string? subresource) =>
        Manager == manager && Operation == operation && Subresource == subresource;

    /// <summary>The manager as the API server names it in conflict messages.</summary>
    public string Describe() => Operation == "Apply" ? $"\"{Manager}\"" : $"\"{Manager}\" using {ApiVersion}";

    public static List<ManagedFieldsEntry> Read(JsonObject? item) =>
        (item?["metadata"]?["managedFields"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(e => e["manager"] is not null && e["operation"] is not null)
            .Select(e => new ManagedFieldsEntry
            {
                Manager = e["manager"]!.GetValue<string>(),
                Operation = e["operation"]!.GetValue<string>(),
                ApiVersion = e["apiVersion"]?.GetValue<string>() ?? "",
                Time = e["time"]?.GetValue<string>() ?? "",
                Subresource = e["subresource"]?.GetValue<string>(),
                Fields = FieldSet.FromFieldsV1(e["fieldsV1"] as JsonObject),
            })
            .ToList();

    /// <summary>
    /// Writes the entries to the object, dropping empty ones. An entry keeps its old time unless its
    /// fields changed or it is the acting manager's and the object's content changed; the acting
    /// manager's gets none when <paramref name="actingUntimed"/>, and an entry without a time is written
    /// without the field (metav1.ManagedFieldsEntry Time is a pointer with omitempty).
    /// </summary>
    public static void Write(JsonObject item, IEnumerable<ManagedFieldsEntry> entries, IReadOnlyList<ManagedFieldsEntry> before, ManagedFieldsEntry acting, bool contentChanged, string now, bool actingUntimed = false)
    {
        var array = new JsonArray();
        foreach (var entry in entries.Where(e => e.Fields.Count > 0))
        {
            var previous = before.FirstOrDefault(b => b.Is(entry.Manager, entry.Operation, entry.Subresource));
            var unchanged = previous is not null && previous.Fields.SetEquals(entry.Fields) && previous.ApiVersion == entry.ApiVersion
                && !(ReferenceEquals(entry, acting) && contentChanged);
            entry.Time = ReferenceEquals(entry, acting) && actingUntimed ? "" : unchanged ? previous!.Time : now;
            var json = new JsonObject
            {
                ["manager"] = entry.Manager,
                ["operation"] = entry.Operation,
                ["apiVersion"] = entry.ApiVersion,
            };
            if (entry.Time.Length > 0)
            {
                json["time"] = entry.Time;
            }

            json["fieldsType"] = "FieldsV1";
            json["fieldsV1"] = entry.Fields.ToFieldsV1();
            if (entry.Subresource is not null)
            {
                json["subresource"] = entry.Subresource;
            }

            array.Add(json);
        }

        var metadata = item["metadata"] as JsonObject ?? [];
        item["metadata"] = metadata;
        if (array.Count > 0)
        {
            metadata["managedFields"] = array;
        }
        else
        {
            metadata.Remove("managedFields");
        }
    }

    /// <summary>
    /// Ownership after a write that is not an apply (create, replace, patch): the writer takes every
    /// field it changed or added, from whoever owned it, without conflicts; removed fields lose their owners.
    /// </summary>
    /// <param name="subresource">The subresource written through, when it is not the scope's own ("scale": the
    /// entry is the writer's through that subresource, without a time, as apimachinery v0.32.13
    /// pkg/util/managedfields/scalehandler.go ScaleHandler.ToParent makes it; see <see cref="ScaleEndpoint"/>).</param>
    public static void RecordUpdate(JsonObject? before, JsonObject after, string manager, string apiVersion, FieldScope scope, bool hasStatusSubresource, string now, string? subresource = null)
    {
        var previous = Read(before);
        var entries = Read(before);
        var beforeFields = FieldSet.Of(before, scope, hasStatusSubresource);
        var afterFields = FieldSet.Of(after, scope, hasStatusSubresource);
        var changed = afterFields.Paths.Where(p => before is null || !FieldSet.SameValueAt(before, after, p)).ToList();
        var removed = beforeFields.Paths.Where(p => !afterFields.Contains(p)).ToList();
        foreach (var entry in entries)
        {
            foreach (var path in changed.Concat(removed))
            {
                entry.Fields.RemoveOverlapping(path);
            }
        }

        subresource ??= scope == FieldScope.Status ? "status" : null;
        var mine = entries.FirstOrDefault(e => e.Is(manager, "Update", subresource));
        if (mine is null)
        {
            mine = new ManagedFieldsEntry { Manager = manager, Operation = "Update", ApiVersion = apiVersion, Time = now, Subresource = subresource, Fields = new FieldSet() };
            entries.Add(mine);
        }

        mine.Fields.UnionWith(changed);
        mine.ApiVersion = changed.Count > 0 ? apiVersion : mine.ApiVersion;
        Write(after, entries, previous, mine, contentChanged: changed.Count > 0 || removed.Count > 0, now, actingUntimed: subresource == "scale");
    }
}
