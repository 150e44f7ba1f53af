using System.Globalization;
using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>JSON patch (RFC 6902): add, remove, replace, move, copy and test, with JSON pointers (RFC 6901).</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonArray operations)
    {
        foreach (var operation in operations)
        {
            if (operation is not JsonObject op || op["op"]?.GetValue<string>() is not { } name || op["path"]?.GetValue<string>() is not { } path)
            {
                throw ApiStatusException.BadRequest("json patch operations need \"op\" and \"path\"");
            }

            switch (name)
            {
                case "add":
                    document = Add(document, path, Value(op));
                    break;
                case "remove":
                    Remove(document, path);
                    break;
                case "replace":
                    _ = Find(document, path) ?? throw Missing(path);
                    Remove(document, path);
                    document = Add(document, path, Value(op));
                    break;
                case "move":
                    var moved = Find(document, From(op)) ?? throw Missing(From(op));
                    Remove(document, From(op));
                    document = Add(document, path, moved.DeepClone());
                    break;
                case "copy":
                    var copied = Find(document, From(op)) ?? throw Missing(From(op));
                    document = Add(document, path, copied.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Find(document, path), op["value"]))
                    {
                        throw ApiStatusException.Unprocessable($"the server rejected our request due to an error in our request: testing value {path} failed");
                    }

                    break;
                default:
                    throw ApiStatusException.BadRequest($"unexpected json patch operation \"{name}\"");
            }
        }

        return document;
    }

    private static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw ApiStatusException.BadRequest("json patch operation has no \"value\"");

    private static string From(JsonObject op) => op["from"]?.GetValue<string>() ?? throw ApiStatusException.BadRequest("json patch operation has no \"from\"");

    private static ApiStatusException Missing(string path) =>
        ApiStatusException.Unprocessable($"the server rejected our request due to an error in our request: doc is missing path: \"{path}\"");

    private static string[] Tokens(string pointer) =>
        pointer.Length == 0 ? [] : pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();

    private static JsonNode? Find(JsonNode document, string pointer)
    {
        JsonNode? node = document;
        foreach (var token in Tokens(pointer))
        {
            node = node switch
            {
                JsonObject map => map.TryGetPropertyValue(token, out var child) ? child : throw Missing(pointer),
                JsonArray list when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < list.Count => list[index],
                _ => throw Missing(pointer),
            };
        }

        return node;
    }

    private static JsonNode Add(JsonNode document, string pointer, JsonNode? value)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0)
        {
            return value ?? throw ApiStatusException.Unprocessable("json patch cannot replace the document with null");
        }

        var parent = Find(document, ParentOf(tokens));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject map:
                map[last] = value;
                break;
            case JsonArray list when last == "-":
                list.Add(value);
                break;
            case JsonArray list when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index <= list.Count:
                list.Insert(index, value);
                break;
            default:
                throw Missing(pointer);
        }

        return document;
    }

    private static void Remove(JsonNode document, string pointer)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0)
        {
            throw ApiStatusException.Unprocessable("json patch cannot remove the whole document");
        }

        var parent = Find(document, ParentOf(tokens));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject map when map.ContainsKey(last):
                map.Remove(last);
                break;
            case JsonArray list when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < list.Count:
                list.RemoveAt(index);
                break;
            default:
                throw Missing(pointer);
        }
    }

    private static string ParentOf(string[] tokens) => string.Concat(tokens[..^1].Select(t => "/" + Escape(t)));

    private static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
