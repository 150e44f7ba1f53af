using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A minimal OpenAPI v3 surface: <c>/openapi/v3</c> lists a document per served group-version, and
/// each document has the item path of every resource with a PATCH operation tagged with its
/// group-version-kind and the <c>fieldValidation</c> parameter. That is what kubectl looks for to
/// leave validation to the server instead of validating against schemas itself. There are no
/// schemas: validation against them, and <c>kubectl explain</c>, are not supported.
/// </summary>
internal static class OpenApiDocuments
{
    private static readonly string[] WriteParameters = ["dryRun", "fieldManager", "fieldValidation", "force"];

    /// <summary>The document for an OpenAPI path, or null if the path is not one.</summary>
    public static JsonObject? For(string path, IReadOnlyList<ResourceKind> kinds)
    {
        var groupVersions = kinds.Select(k => GroupVersionPath(k.Type)).Distinct().ToList();
        if (path.TrimEnd('/') == "/openapi/v3")
        {
            var paths = new JsonObject();
            foreach (var groupVersion in groupVersions)
            {
                paths[groupVersion] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{groupVersion}?hash={Hash(kinds, groupVersion)}" };
            }

            return new JsonObject { ["paths"] = paths };
        }

        const string Prefix = "/openapi/v3/";
        if (!path.StartsWith(Prefix, StringComparison.Ordinal) || !groupVersions.Contains(path[Prefix.Length..]))
        {
            return null;
        }

        var requested = path[Prefix.Length..];
        var operations = new JsonObject();
        foreach (var kind in kinds.Where(k => GroupVersionPath(k.Type) == requested))
        {
            operations[ItemPath(kind)] = new JsonObject { ["patch"] = Patch(kind) };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0+fake" },
            ["paths"] = operations,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    private static string GroupVersionPath(ResourceType type) =>
        type.Group.Length == 0 ? $"api/{type.Version}" : $"apis/{type.Group}/{type.Version}";

    private static string ItemPath(ResourceKind kind) =>
        kind.Namespaced
            ? $"/{GroupVersionPath(kind.Type)}/namespaces/{{namespace}}/{kind.Type.Plural}/{{name}}"
            : $"/{GroupVersionPath(kind.Type)}/{kind.Type.Plural}/{{name}}";

    private static JsonObject Patch(ResourceKind kind) => new()
    {
        ["operationId"] = $"patch{kind.Kind}",
        ["parameters"] = new JsonArray(WriteParameters
            .Select(name => (JsonNode)new JsonObject { ["name"] = name, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } })
            .ToArray()),
        ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
        ["x-kubernetes-action"] = "patch",
        ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = kind.Type.Group, ["version"] = kind.Type.Version, ["kind"] = kind.Kind },
    };

    /// <summary>Changes when the group-version's resources change, so clients that cache by it refetch.</summary>
    private static string Hash(IReadOnlyList<ResourceKind> kinds, string groupVersion)
    {
        var text = string.Join(';', kinds.Where(k => GroupVersionPath(k.Type) == groupVersion).Select(k => $"{k.Type.Plural}:{k.Kind}:{k.Namespaced}"));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }
}
