using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Manifests;
using KafkaDemo.DeploymentContract.Agent;

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

    /// <summary>The ConfigMap with kubectl's configuration in the pod (k3d/agent/kubeconfig.yaml); its context's namespace is Kafka's.</summary>
    public const string KubeconfigConfigMapName = "vibectl-kubeconfig";
    public const string PodSelector = AgentDeployment.PodSelector;

    /// <summary>On the pod template once the LLM access is configured (a key, or a server that may need none); see <see cref="AgentDeployment.KeyAnnotation"/>.</summary>
    public const string ConfiguredAnnotation = AgentDeployment.KeyAnnotation;

    /// <summary>
    /// The key name written as <c>api_key_name</c> for an OpenAI-compatible server. llm 0.26 looks
    /// it up in keys.json first (openai_models.py register_models sets needs_key from api_key_name;
    /// llm/__init__.py get_key), where k3d/agent/idle.sh puts the Secret's key under this name at
    /// the pod's start. Its fallback, OPENAI_API_KEY, would not do: vibectl 0.11.6 deletes it after
    /// every model call for a model it cannot tie to a provider (model_adapter.py ModelEnvironment.__exit__).
    /// </summary>
    public const string ServerKeyName = "kafkademo-llm";

    /// <summary>
    /// The characters an LLM key may have: those k3d/agent/idle.sh writes into llm's keys.json as
    /// they are (its <c>case</c> refuses any other, since it does no JSON escaping). Real keys
    /// (sk-ant-..., sk-proj-..., hex or base64 tokens) use only these.
    /// </summary>
    public const string KeyCharacters = "A-Za-z0-9._~+/=:-";

    /// <summary>Whether <paramref name="apiKey"/> has only <see cref="KeyCharacters"/>.</summary>
    public static bool IsUsableKey(string apiKey) =>
        !string.IsNullOrEmpty(apiKey) && apiKey.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '~' or '+' or '/' or '=' or ':' or '-');

    public static IReadOnlyList<JsonObject> Files() => ManifestFiles.Kustomize(AgentImage.Folder);

    /// <summary>
    /// The kustomization's objects with <paramref name="image"/>, and <see cref="ConfiguredAnnotation"/>
    /// when the LLM access is configured (<paramref name="configuredAt"/> not null); the Role, its
    /// binding, the admission policy's namespace and kubectl's default namespace in the pod name
    /// <paramref name="kafka"/> (<see cref="KafkaTarget.Retarget"/>).
    /// </summary>
    /// <param name="pullPolicy">The container's imagePullPolicy; null keeps the file's (Never: k3d imports the image).</param>
    /// <param name="kafka">The Kafka the agent tunes; null: kafka/kafkademo, as the files have it.</param>
    public static IReadOnlyList<JsonObject> Render(string image, string? configuredAt, string? pullPolicy = null, KafkaTarget? kafka = null)
    {
        kafka ??= KafkaTarget.Default;
        var objects = kafka.Retarget(Files()).ToList();
        if (kafka != KafkaTarget.Default)
        {
            PointKubectlAt(objects.Single(o => (string?)o["kind"] == "ConfigMap" && (string?)o["metadata"]?["name"] == KubeconfigConfigMapName), kafka.Namespace);
        }

        var deployment = objects.Single(o => (string?)o["kind"] == "Deployment");
        var template = deployment["spec"]!["template"]!.AsObject();
        template["spec"]!["containers"]![0]!["image"] = image;
        if (pullPolicy is not null)
        {
            template["spec"]!["containers"]![0]!["imagePullPolicy"] = pullPolicy;
        }

        if (configuredAt is not null)
        {
            var metadata = template["metadata"]!.AsObject();
            metadata["annotations"] = new JsonObject { [ConfiguredAnnotation] = configuredAt };
        }

        return objects;
    }

    /// <summary>
    /// The Secret the pod reads its LLM key from (mounted as a file; idle.sh copies it into llm's
    /// keys.json). Only ever sent to the API server, never logged.
    /// </summary>
    /// <exception cref="ArgumentException">The key has a character outside <see cref="KeyCharacters"/> (the message does not quote it).</exception>
    public static JsonObject Secret(string apiKey) => !IsUsableKey(apiKey)
        ? throw new ArgumentException($"The LLM key (parameter llm-api-key) has a character other than {KeyCharacters}: the agent's pod could not give it to llm.", nameof(apiKey))
        : new()
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

    /// <summary>kubectl's default namespace in the pod (the context of k3d/agent/kubeconfig.yaml): Kafka's, so a plain "kubectl get kafka" shows it.</summary>
    private static void PointKubectlAt(JsonObject configMap, string ns)
    {
        var data = configMap["data"]!.AsObject();
        var config = YamlDocuments.Parse((string)data["config"]!, KubeconfigConfigMapName).Single();
        foreach (var context in (config["contexts"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (context["context"] is JsonObject settings)
            {
                settings["namespace"] = ns;
            }
        }

        data["config"] = YamlDocuments.Write(config);
    }

    private static JsonObject PartOf() => new() { ["app.kubernetes.io/part-of"] = "kafkademo" };
}
