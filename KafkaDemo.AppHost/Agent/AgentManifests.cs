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

    /// <summary>On the pod template once the LLM access is configured (a key, or a server that may need none); see <see cref="AgentDeployment.KeyAnnotation"/>.</summary>
    public const string ConfiguredAnnotation = AgentDeployment.KeyAnnotation;

    /// <summary>
    /// The key name written as <c>api_key_name</c> for an OpenAI-compatible server. llm 0.26 looks
    /// it up in keys.json (there is none in the pod) and then in OPENAI_API_KEY, which the
    /// Deployment takes from the Secret (openai_models.py register_models sets needs_key from
    /// api_key_name; the Chat class's key_env_var stays OPENAI_API_KEY; llm/__init__.py get_key).
    /// </summary>
    public const string ServerKeyName = "kafkademo-llm";

    public static IReadOnlyList<JsonObject> Files() => ManifestFiles.Kustomize(AgentImage.Folder);

    /// <summary>
    /// The kustomization's objects with <paramref name="image"/>, and <see cref="ConfiguredAnnotation"/>
    /// when the LLM access is configured (<paramref name="configuredAt"/> not null).
    /// </summary>
    public static IReadOnlyList<JsonObject> Render(string image, string? configuredAt)
    {
        var objects = Files().ToList();
        var deployment = objects.Single(o => (string?)o["kind"] == "Deployment");
        var template = deployment["spec"]!["template"]!.AsObject();
        template["spec"]!["containers"]![0]!["image"] = image;
        if (configuredAt is not null)
        {
            var metadata = template["metadata"]!.AsObject();
            metadata["annotations"] = new JsonObject { [ConfiguredAnnotation] = configuredAt };
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

    /// <summary>
    /// llm's extra-openai-models.yaml for an OpenAI-compatible server. vibectl's planner needs
    /// supports_schema. With a key, <c>api_key_name</c> makes llm send it: llm 0.26
    /// openai_models.py register_models sets needs_key = None for a model with api_base, and
    /// _Shared.get_client then sends the literal "DUMMY_KEY" instead of any key; api_key_name sets
    /// needs_key again. Without a key, none is asked for and the server gets DUMMY_KEY, which a
    /// server that needs no key ignores.
    /// </summary>
    public static JsonObject ModelsConfigMap(string model, string baseUrl, bool withKey)
    {
        var entry = new JsonObject
        {
            ["model_id"] = model,
            ["model_name"] = model,
            ["api_base"] = baseUrl,
            ["supports_schema"] = true,
        };
        if (withKey)
        {
            entry["api_key_name"] = ServerKeyName;
        }

        return new()
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = ModelsConfigMapName, ["namespace"] = Namespace, ["labels"] = PartOf() },
            ["data"] = new JsonObject { ["extra-openai-models.yaml"] = Kubernetes.YamlDocuments.Write(new JsonArray(entry)) },
        };
    }

    private static JsonObject PartOf() => new() { ["app.kubernetes.io/part-of"] = "kafkademo" };
}
