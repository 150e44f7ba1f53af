using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>Which part of an object a write touches: the main resource or its <c>/status</c> subresource.</summary>
internal enum FieldScope
{
    Main,
    Status,
}

/// <summary>
/// A set of field paths, as server-side apply tracks ownership: the leaves of an object, where maps are
/// granular (each key is its own field) and lists are atomic (a list is one field, owned whole). Paths
/// are stored as their elements joined by a separator, ordered, so the fields under a path are a range.
/// </summary>
internal sealed class FieldSet
{
    private const char Separator = '\u0001';
    private readonly SortedSet<string> paths;

    public FieldSet()
        : this([])
    {
    }

    private FieldSet(IEnumerable<string> paths) => this.paths = new SortedSet<string>(paths, StringComparer.Ordinal);

    public int Count => paths.Count;

    public IEnumerable<string> Paths => paths;

    public FieldSet Clone() => new(paths);

    public bool SetEquals(FieldSet other) => paths.SetEquals(other.paths);

    public bool Contains(string path) => paths.Contains(path);

    public void Add(string path) => paths.Add(path);

    public void UnionWith(IEnumerable<string> more) => paths.UnionWith(more);

    /// <summary>The members that overlap a path: the path itself, its ancestors and its descendants.</summary>
    public IReadOnlyList<string> Overlapping(string path)
    {
        var found = new List<string>();
        for (var end = path.IndexOf(Separator, StringComparison.Ordinal); end >= 0; end = path.IndexOf(Separator, end + 1))
        {
            if (paths.Contains(path[..end]))
            {
                found.Add(path[..end]);
            }
        }

        if (paths.Contains(path))
        {
            found.Add(path);
        }

        found.AddRange(paths.GetViewBetween(path + Separator, path + Separator + '\uffff'));
        return found;
    }

    public bool Overlaps(string path) => Overlapping(path).Count > 0;

    public void RemoveOverlapping(string path)
    {
        foreach (var member in Overlapping(path))
        {
            paths.Remove(member);
        }
    }

    public static string Join(IEnumerable<string> elements) => string.Join(Separator, elements);

    public static string[] Split(string path) => path.Split(Separator);

    /// <summary>A path as the API server prints it in conflict messages: <c>.spec.replicas</c>.</summary>
    public static string Display(string path) => "." + string.Join('.', Split(path));

    /// <summary>The fields an object sets in a scope. Server-owned metadata, apiVersion and kind are nobody's.</summary>
    public static FieldSet Of(JsonObject? item, FieldScope scope, bool hasStatusSubresource)
    {
        var set = new FieldSet();
        if (item is null)
        {
            return set;
        }

        foreach (var (name, value) in item)
        {
            if (value is null || name is "apiVersion" or "kind")
            {
                continue;
            }

            var owned = scope == FieldScope.Status ? name == "status" : !(hasStatusSubresource && name == "status");
            if (!owned)
            {
                continue;
            }

            if (name == "metadata")
            {
                if (scope == FieldScope.Main && value is JsonObject metadata)
                {
                    foreach (var granular in (string[])["labels", "annotations"])
                    {
                        Collect(metadata[granular], ["metadata", granular], set);
                    }

                    foreach (var atomic in (string[])["finalizers", "ownerReferences"])
                    {
                        if (metadata[atomic] is not null)
                        {
                            set.Add(Join(["metadata", atomic]));
                        }
                    }
                }

                continue;
            }

            Collect(value, [name], set);
        }

        return set;
    }

    private static void Collect(JsonNode? node, List<string> prefix, FieldSet set)
    {
        switch (node)
        {
            case null:
                return;
            case JsonObject map when map.Count > 0:
                foreach (var (name, child) in map)
                {
                    prefix.Add(name);
                    Collect(child, prefix, set);
                    prefix.RemoveAt(prefix.Count - 1);
                }

                return;
            default:
                set.Add(Join(prefix));
                return;
        }
    }

    /// <summary>The value at a path, or null if the path is not there (or is null).</summary>
    public static JsonNode? ValueAt(JsonObject? item, string path)
    {
        JsonNode? node = item;
        foreach (var element in Split(path))
        {
            node = node is JsonObject map && map.TryGetPropertyValue(element, out var child) ? child : null;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    public static bool SameValueAt(JsonObject? left, JsonObject? right, string path) =>
        JsonNode.DeepEquals(ValueAt(left, path), ValueAt(right, path));

    /// <summary>Removes the field at a path and the maps that removing it left empty (below the top level).</summary>
    public static void Remove(JsonObject item, string path)
    {
        var elements = Split(path);
        var chain = new List<JsonObject> { item };
        foreach (var element in elements[..^1])
        {
            if (chain[^1][element] is not JsonObject next)
            {
                return;
            }

            chain.Add(next);
        }

        chain[^1].Remove(elements[^1]);
        for (var depth = chain.Count - 1; depth >= 2 && chain[depth].Count == 0; depth--)
        {
            chain[depth - 1].Remove(elements[depth - 1]);
        }
    }

    /// <summary>The set as <c>fieldsV1</c>: nested <c>"f:name"</c> keys, <c>"."</c> where a field is owned itself and has owned fields under it.</summary>
    public JsonObject ToFieldsV1()
    {
        var root = new JsonObject();
        foreach (var path in paths)
        {
            var node = root;
            foreach (var element in Split(path))
            {
                var key = "f:" + element;
                if (node[key] is not JsonObject child)
                {
                    child = [];
                    node[key] = child;
                }

                node = child;
            }
        }

        MarkOwnedParents(root);
        return root;
    }

    private void MarkOwnedParents(JsonObject root)
    {
        // A path that is owned and also has owned paths under it was visited before its children
        // (ordinal order puts a prefix first), when it was still empty: mark it now.
        foreach (var path in paths)
        {
            var node = root;
            foreach (var element in Split(path))
            {
                node = (JsonObject)node["f:" + element]!;
            }

            if (node.Count > 0 && !node.ContainsKey("."))
            {
                node["."] = new JsonObject();
            }
        }
    }

    public static FieldSet FromFieldsV1(JsonObject? fields)
    {
        var set = new FieldSet();
        if (fields is not null)
        {
            Read(fields, [], set);
        }

        return set;
    }

    private static void Read(JsonObject node, List<string> prefix, FieldSet set)
    {
        if (prefix.Count > 0 && (node.Count == 0 || node.ContainsKey(".")))
        {
            set.Add(Join(prefix));
        }

        foreach (var (key, child) in node)
        {
            if (key.StartsWith("f:", StringComparison.Ordinal) && child is JsonObject childNode)
            {
                prefix.Add(key[2..]);
                Read(childNode, prefix, set);
                prefix.RemoveAt(prefix.Count - 1);
            }
        }
    }
}
