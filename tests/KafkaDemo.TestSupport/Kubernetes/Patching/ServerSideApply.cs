using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// Server-side apply, simplified but honest: the applied configuration is merged into the live object
/// (maps merged key by key, lists and scalars replaced whole); the manager then owns exactly the fields
/// it applied, and fields it applied before but not now are removed unless another manager owns them.
/// Applying a field another manager owns, with a different value, is a conflict (409) unless forced,
/// which takes the field over; applying the same value shares ownership.
/// </summary>
internal static class ServerSideApply
{
    public static JsonObject Apply(JsonObject? current, JsonObject applied, ApplyRequest request)
    {
        var subresource = request.Scope == FieldScope.Status ? "status" : null;
        var previous = ManagedFieldsEntry.Read(current);
        var entries = ManagedFieldsEntry.Read(current);
        var mine = entries.FirstOrDefault(e => e.Is(request.Manager, "Apply", subresource));
        var others = entries.Where(e => !ReferenceEquals(e, mine)).ToList();
        var appliedFields = FieldSet.Of(applied, request.Scope, request.HasStatusSubresource);

        var conflicts = new List<(ManagedFieldsEntry Owner, string Path)>();
        foreach (var path in appliedFields.Paths)
        {
            if (FieldSet.SameValueAt(current, applied, path))
            {
                continue;
            }

            foreach (var other in others.Where(o => o.Fields.Overlaps(path)))
            {
                conflicts.Add((other, path));
            }
        }

        if (conflicts.Count > 0 && !request.Force)
        {
            throw Conflict(conflicts);
        }

        foreach (var (owner, path) in conflicts)
        {
            owner.Fields.RemoveOverlapping(path);
        }

        var next = current ?? new JsonObject
        {
            ["apiVersion"] = applied["apiVersion"]?.DeepClone(),
            ["kind"] = applied["kind"]?.DeepClone(),
            ["metadata"] = new JsonObject(),
        };
        var before = (JsonObject)next.DeepClone();
        foreach (var path in (mine?.Fields.Paths ?? []).Where(p => !appliedFields.Contains(p)).ToList())
        {
            if (!others.Any(o => o.Fields.Overlaps(path)))
            {
                FieldSet.Remove(next, path);
            }
        }

        Merge(next, applied, request.Scope, request.HasStatusSubresource);

        if (mine is null)
        {
            mine = new ManagedFieldsEntry
            {
                Manager = request.Manager,
                Operation = "Apply",
                ApiVersion = request.ApiVersion,
                Time = request.Now,
                Subresource = subresource,
                Fields = appliedFields,
            };
            entries.Add(mine);
        }

        mine.Fields = appliedFields;
        mine.ApiVersion = request.ApiVersion;
        var contentChanged = !JsonNode.DeepEquals(WithoutManagedFields(before), WithoutManagedFields(next));
        ManagedFieldsEntry.Write(next, entries, previous, mine, contentChanged, request.Now);
        return next;
    }

    private static JsonObject WithoutManagedFields(JsonObject item)
    {
        var copy = (JsonObject)item.DeepClone();
        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    /// <summary>Merges the applied configuration's fields of a scope into the live object.</summary>
    private static void Merge(JsonObject target, JsonObject applied, FieldScope scope, bool hasStatusSubresource)
    {
        foreach (var (name, value) in applied)
        {
            if (name is "apiVersion" or "kind")
            {
                continue;
            }

            if (scope == FieldScope.Status ? name != "status" : hasStatusSubresource && name == "status")
            {
                continue;
            }

            if (name == "metadata")
            {
                if (scope == FieldScope.Main && value is JsonObject metadata && target["metadata"] is JsonObject live)
                {
                    foreach (var field in (string[])["labels", "annotations", "finalizers", "ownerReferences"])
                    {
                        if (metadata.ContainsKey(field))
                        {
                            MergeField(live, field, metadata[field]);
                        }
                    }
                }

                continue;
            }

            MergeField(target, name, value);
        }
    }

    /// <summary>Maps merge key by key; anything else replaces; null removes.</summary>
    private static void MergeField(JsonObject target, string name, JsonNode? value)
    {
        if (value is null)
        {
            target.Remove(name);
        }
        else if (value is JsonObject map && target[name] is JsonObject live)
        {
            foreach (var (key, child) in map)
            {
                MergeField(live, key, child);
            }
        }
        else
        {
            target[name] = value.DeepClone();
        }
    }

    private static ApiStatusException Conflict(List<(ManagedFieldsEntry Owner, string Path)> conflicts)
    {
        var causes = new JsonArray();
        foreach (var (owner, path) in conflicts)
        {
            causes.Add(new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = $"conflict with {owner.Describe()}",
                ["field"] = FieldSet.Display(path),
            });
        }

        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {conflicts[0].Owner.Describe()}: {FieldSet.Display(conflicts[0].Path)}";
        }
        else
        {
            var lines = conflicts
                .GroupBy(c => c.Owner.Describe())
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .SelectMany(g => g.Select(c => $"- {FieldSet.Display(c.Path)}").Prepend($"conflicts with {g.Key}:"));
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join('\n', lines)}";
        }

        return ApiStatusException.ApplyConflict(message, causes);
    }
}

/// <summary>Who applies, to which scope, with what API version, and whether conflicts are forced.</summary>
internal sealed record ApplyRequest(string Manager, bool Force, string ApiVersion, FieldScope Scope, bool HasStatusSubresource, string Now);
