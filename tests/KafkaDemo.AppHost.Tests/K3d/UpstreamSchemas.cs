using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// The verbatim upstream schemas in shared/k8s-reference as JSON Schemas: the Strimzi 1.2.0 CRDs'
/// openAPIV3Schema and the k3d v5.9.0 config schema.
/// </summary>
internal static class UpstreamSchemas
{
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List };

    /// <summary>Both kinds of schema are draft-07 style; OpenAPI's and Kubernetes' own keywords (example, x-kubernetes-*) are ignored, as draft-07 says.</summary>
    private static readonly BuildOptions Draft07 = new() { Dialect = Dialect.Draft07 };

    /// <summary>
    /// The schema a Strimzi CRD serves for <paramref name="version"/>, made strict the way the API
    /// server is with <c>fieldValidation=Strict</c>: an unknown field is an error instead of being
    /// dropped silently. Objects that preserve unknown fields (such as <c>spec.kafka.config</c>) stay open.
    /// </summary>
    public static JsonSchema StrimziCrd(string file, string version = "v1")
    {
        var crd = YamlDocuments.Parse(System.IO.File.ReadAllText(SharedReference.File($"strimzi/1.2.0/{file}")), file).Single();
        var served = crd["spec"]!["versions"]!.AsArray().Single(v => (string?)v!["name"] == version)!;
        Assert.True((bool)served["served"]!, $"{file} does not serve {version}.");
        var schema = served["schema"]!["openAPIV3Schema"]!.DeepClone().AsObject();
        Strict(schema);
        var group = (string)crd["spec"]!["group"]!;
        var kind = (string)crd["spec"]!["names"]!["kind"]!;
        schema["$schema"] = "http://json-schema.org/draft-07/schema#";
        schema["required"] = new JsonArray("apiVersion", "kind", "metadata", "spec");
        schema["properties"]!["apiVersion"] = new JsonObject { ["const"] = $"{group}/{version}" };
        schema["properties"]!["kind"] = new JsonObject { ["const"] = kind };
        schema["properties"]!["metadata"] = Metadata();
        return JsonSchema.FromText(schema.ToJsonString(), Draft07);
    }

    /// <summary>k3d's own config schema, unchanged.</summary>
    public static JsonSchema K3dConfig() => JsonSchema.FromText(System.IO.File.ReadAllText(SharedReference.File("k3d/schema.v1alpha5.json")), Draft07);

    /// <summary>Every validation error, as "location: message"; empty when the object is valid.</summary>
    public static IReadOnlyList<string> Errors(this JsonSchema schema, JsonNode instance)
    {
        using var document = JsonDocument.Parse(instance.ToJsonString());
        var result = schema.Evaluate(document.RootElement, Options);
        return result.IsValid
            ? []
            : [.. (result.Details ?? []).Prepend(result).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")).Distinct()];
    }

    /// <summary>Closes every structural object schema that lists its properties and does not preserve unknown fields.</summary>
    private static void Strict(JsonObject node)
    {
        if (node["properties"] is JsonObject properties)
        {
            if (node["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() != true && node["additionalProperties"] is null)
            {
                node["additionalProperties"] = false;
            }

            foreach (var (_, child) in properties)
            {
                if (child is JsonObject o)
                {
                    Strict(o);
                }
            }
        }

        if (node["items"] is JsonObject items)
        {
            Strict(items);
        }

        if (node["additionalProperties"] is JsonObject values)
        {
            Strict(values);
        }
    }

    /// <summary>What the API server checks of metadata for these objects: a DNS name, string labels and annotations.</summary>
    private static JsonObject Metadata() => new()
    {
        ["type"] = "object",
        ["required"] = new JsonArray("name"),
        ["properties"] = new JsonObject
        {
            ["name"] = new JsonObject { ["type"] = "string", ["maxLength"] = 253, ["pattern"] = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" },
            ["namespace"] = new JsonObject { ["type"] = "string", ["pattern"] = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
            ["labels"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string" } },
            ["annotations"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string" } },
        },
        ["additionalProperties"] = false,
    };
}
