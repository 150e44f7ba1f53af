using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Manifests;
using KafkaDemo.Messaging.Agent;

namespace KafkaDemo.AppHost.Agent;

/// <summary>
/// The agent's objects: the kustomization in <c>k3d/agent</c> with the image the AppHost built,
/// plus what only the AppHost can make: the Secret with the LLM key, and the llm model list for an
/// OpenAI-compatible server.
/// </summary>
public static class AgentManifests
{
    public const string Namespace = AgentDeployment.Namespace;
    public const string DeploymentName = AgentDeployment.DeploymentName;
    public const string SecretName = "vibectl-llm";

    /// <summary>The Secret's entry holding the key; the Deployment gives it to the container under each provider's variable.</summary>
    public const string SecretKey = "api-key";
    public const string ModelsConfigMapName = "vibectl-llm-models";
    public const string PodSelector = AgentDeployment.PodSelector;

    /// <summary>On the pod template once a key is in the Secret; a change restarts the pod so it reads the key.</summary>
    public const string KeyAnnotation = AgentDeployment.KeyAnnotation;

    public static IReadOnlyList<JsonObject> Files() => ManifestFiles.Kustomize(AgentImage.Folder);

    /// <summary>The kustomization's objects with <paramref name="image"/>, and the key's annotation when one is set.</summary>
    public static IReadOnlyList<JsonObject> Render(string image, string? keySetAt)
    {
        var objects = Files().ToList();
        var deployment = objects.Single(o => (string?)o["kind"] == "Deployment");
        var template = deployment["spec"]!["template"]!.AsObject();
        template["spec"]!["containers"]![0]!["image"] = image;
        if (keySetAt is not null)
        {
            var metadata = template["metadata"]!.AsObject();
            metadata["annotations"] = new JsonObject { [KeyAnnotation] = keySetAt };
        }

        return objects;
    }

    /// <summary>The Secret the pod reads its LLM key from. Only ever sent to the API server, never logged.</summary>
    public static JsonObject Secret(string apiKey) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = SecretName, ["namespace"] = Namespace, ["labels"] = PartOf() },
        ["type"] = "Opaque",
        ["stringData"] = new JsonObject { [SecretKey] = apiKey },
    };

    /// <summary>llm's extra-openai-models.yaml for an OpenAI-compatible server: vibectl needs supports_schema.</summary>
    public static JsonObject ModelsConfigMap(string model, string baseUrl) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = ModelsConfigMapName, ["namespace"] = Namespace, ["labels"] = PartOf() },
        ["data"] = new JsonObject
        {
            ["extra-openai-models.yaml"] = Kubernetes.YamlDocuments.Write(new JsonArray(new JsonObject
            {
                ["model_id"] = model,
                ["model_name"] = model,
                ["api_base"] = baseUrl,
                ["supports_schema"] = true,
            })),
        },
    };

    private static JsonObject PartOf() => new() { ["app.kubernetes.io/part-of"] = "kafkademo" };
}
