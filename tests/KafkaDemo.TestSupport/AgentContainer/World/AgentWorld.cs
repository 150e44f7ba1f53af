using System.Text;
using System.Text.Json.Nodes;
using KafkaDemo.DeploymentContract.Agent;
using KafkaDemo.TestSupport.Kubernetes;
using YamlDotNet.RepresentationModel;
using k8s;
using k8s.Models;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>What <see cref="AgentWorld"/> deploys.</summary>
public sealed record AgentWorldOptions
{
    /// <summary>The LLM key the AppHost would put in the Secret vibectl-llm (and the key annotation on the pod template); null: neither.</summary>
    public string? LlmKey { get; init; } = "sk-ant-kafkademo-test-key";

    /// <summary>
    /// Environment entries a test adds to the agent container of the real k3d/agent/deployment.yaml
    /// (for example <c>ANTHROPIC_API_KEY</c> from the Secret, as a fixed Deployment would give it).
    /// </summary>
    public IReadOnlyList<JsonObject> AddedContainerEnv { get; init; } = [];

    /// <summary>The ConfigMap vibectl-llm-models' extra-openai-models.yaml (an OpenAI-compatible server), or null for none.</summary>
    public string? ExtraOpenAiModels { get; init; }

    /// <summary>
    /// A change to the repository's Deployment before it is applied (after <see cref="AddedContainerEnv"/>):
    /// for a test that runs the agent as an older or broken Deployment would.
    /// </summary>
    public Action<JsonObject>? EditDeployment { get; init; }

    /// <summary>How long the kubelet takes to start a pod.</summary>
    public TimeSpan PodStartDelay { get; init; }

    /// <summary>The container programs' clock, model and provider APIs.</summary>
    public AgentContainerOptions Programs { get; init; } = new();
}

/// <summary>
/// The agent's world for tests: the fake Kubernetes API with the Strimzi CRDs, the repository's
/// <c>k3d/kafka</c> objects (the Kafka and its node pool, in namespace kafka) and <c>k3d/agent</c>
/// objects (namespace, service account, Role, RoleBinding, kubeconfig ConfigMap, Deployment) read
/// from their kustomizations as the AppHost renders them, the Secret with the LLM key as the AppHost
/// makes it, the Deployment controller and kubelet running the agent's pod, the agent image's config
/// from k3d/agent/Dockerfile, and the container's programs attached behind pod exec. A change to
/// those files changes the world.
/// </summary>
public sealed class AgentWorld : IAsyncDisposable
{
    public const string AgentNamespace = AgentDeployment.Namespace;
    public const string AgentSelector = AgentDeployment.PodSelector;

    /// <summary>The annotation the AppHost puts on the pod template once the LLM access is configured.</summary>
    public const string KeyAnnotation = AgentDeployment.KeyAnnotation;

    private static readonly string[] StrimziKinds = ["Kafka", "KafkaNodePool", "KafkaTopic"];

    private readonly AgentPods pods;
    private readonly string directory;

    private AgentWorld(FakeKubernetesApi api, AgentPods pods, string directory)
    {
        Api = api;
        this.pods = pods;
        this.directory = directory;
        KubeconfigPath = Path.Combine(directory, "kubeconfig");
        api.WriteKubeconfig(KubeconfigPath);
        Client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));
    }

    public FakeKubernetesApi Api { get; }

    /// <summary>The agent container's programs.</summary>
    public AgentContainerPrograms Agent => pods.Programs;

    /// <summary>The agent's current pod as tests look at it.</summary>
    public AgentView View => pods.View;

    /// <summary>A KubernetesClient for the fake, as an administrator.</summary>
    public k8s.Kubernetes Client { get; }

    /// <summary>An administrator's kubeconfig for the fake.</summary>
    public string KubeconfigPath { get; }

    /// <summary>The Kafka resource.</summary>
    public static ResourceType Kafkas { get; } = ScriptedControllers.Kafkas;

    public static async Task<AgentWorld> StartAsync(AgentWorldOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AgentWorldOptions();
        var api = await FakeKubernetesApi.StartAsync(cancellationToken: cancellationToken);
        AgentPods? pods = null;
        try
        {
            foreach (var kind in StrimziKinds)
            {
                api.Put(StrimziDefinition(kind));
            }

            await WaitForAsync(() => StrimziKinds.All(k => api.ServedResources.Any(r => r.Type.Group == "kafka.strimzi.io" && r.Kind == k)),
                "The Strimzi CRDs were not established.", cancellationToken);
            foreach (var item in Kustomize("k3d/kafka").Concat(Kustomize("k3d/agent")))
            {
                if (JsonFields(item, "kind") == "Deployment")
                {
                    Customize(item, options);
                }

                if (JsonFields(item, "kind") == "Namespace" && api.Get(ResourceType.Namespaces, null, JsonFields(item, "metadata", "name")!) is not null)
                {
                    continue;
                }

                EnsureNamespace(api, item);
                api.Put(item, "kafkademo");
            }

            if (options.LlmKey is { } key)
            {
                api.Put(LlmSecret(key), "kafkademo");
            }

            if (options.ExtraOpenAiModels is { } models)
            {
                api.Put(new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "ConfigMap",
                    ["metadata"] = new JsonObject { ["name"] = "vibectl-llm-models", ["namespace"] = AgentNamespace },
                    ["data"] = new JsonObject { ["extra-openai-models.yaml"] = models },
                }, "kafkademo");
            }

            pods = AgentPods.Run(api, options.Programs, options.PodStartDelay);
            var world = new AgentWorld(api, pods, Directory.CreateTempSubdirectory("kafkademo-agent-world-").FullName);
            await world.WaitForAgentPodAsync(cancellationToken);
            return world;
        }
        catch
        {
            if (pods is not null)
            {
                await pods.DisposeAsync();
            }

            await api.DisposeAsync();
            throw;
        }
    }

    /// <summary>The agent's running, ready pod (the newest), waiting up to 30 s for one.</summary>
    public async Task<V1Pod> WaitForAgentPodAsync(CancellationToken cancellationToken = default)
    {
        V1Pod? found = null;
        await WaitForAsync(() =>
        {
            found = Api.List(ResourceType.Pods, AgentNamespace)
                .Select(p => KubernetesJson.Deserialize<V1Pod>(p.ToJsonString()))
                .Where(p => p.Metadata.Labels is { } labels && labels.TryGetValue("app.kubernetes.io/name", out var app) && app == "vibectl" && p.Status?.Phase == "Running"
                    && p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true && p.Metadata.DeletionTimestamp is null)
                .OrderByDescending(p => p.Metadata.CreationTimestamp)
                .FirstOrDefault();
            return found is not null;
        }, "The agent's pod did not run.", cancellationToken);
        return found!;
    }

    /// <summary>
    /// What the AppHost does when the LLM key arrives after start (KafkaDemo.AppHost Agent/AgentBringUp.cs
    /// SetKeyAsync): the key into the Secret, and a new "configured" annotation on the pod template,
    /// so the Deployment controller replaces the pod and the new one reads it.
    /// </summary>
    public void SetLlmKey(string key, DateTimeOffset at)
    {
        Api.Put(LlmSecret(key), "kafkademo");
        var deployment = Api.Get(Deployments, AgentNamespace, AgentDeployment.DeploymentName)
            ?? throw new InvalidOperationException("The agent's Deployment is not there.");
        var metadata = deployment["spec"]!["template"]!["metadata"]!.AsObject();
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations[KeyAnnotation] = at.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        metadata["annotations"] = annotations;
        deployment["metadata"]!.AsObject().Remove("managedFields");
        Api.Put(deployment, "kafkademo");
    }

    /// <summary>vibectl's state in the agent's current pod.</summary>
    public async Task<VibectlState?> ReadVibectlAsync(CancellationToken cancellationToken = default) =>
        Agent.ReadVibectl(AgentNamespace, (await WaitForAgentPodAsync(cancellationToken)).Metadata.Name);

    /// <summary>
    /// A kustomization's objects as the AppHost renders them (KafkaDemo.AppHost Manifests/ManifestFiles.cs
    /// Kustomize): each file under <c>resources</c>, in order, every document, the kustomization's namespace set.
    /// </summary>
    public static IReadOnlyList<JsonObject> Kustomize(string folder)
    {
        var root = SharedReference.RepositoryRoot;
        var kustomization = Documents(File.ReadAllText(Path.Combine(root, folder, "kustomization.yaml"))).Single();
        var ns = kustomization["namespace"]?.GetValue<string>();
        var objects = new List<JsonObject>();
        foreach (var file in kustomization["resources"]!.AsArray().Select(r => r!.GetValue<string>()))
        {
            foreach (var item in Documents(File.ReadAllText(Path.Combine(root, folder, file))))
            {
                if (ns is not null && JsonFields(item, "kind") is not ("Namespace" or "ClusterRole" or "ClusterRoleBinding" or "CustomResourceDefinition"))
                {
                    ((JsonObject)item["metadata"]!)["namespace"] = ns;
                }

                objects.Add(item);
            }
        }

        return objects;
    }

    /// <summary>Every YAML document of a file as a JSON object.</summary>
    private static List<JsonObject> Documents(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var documents = new List<JsonObject>();
        foreach (var document in stream.Documents)
        {
            var single = new StringWriter();
            new YamlStream(document).Save(single, assignAnchors: false);
            if (Kubernetes.YamlDocument.Parse(single.ToString()) is JsonObject item)
            {
                documents.Add(item);
            }
        }

        return documents;
    }

    /// <summary>
    /// The Secret the AppHost makes from the llm-api-key parameter (KafkaDemo.AppHost
    /// Agent/AgentManifests.cs Secret: the key under "api-key", as stringData).
    /// </summary>
    private static JsonObject LlmSecret(string key) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = "vibectl-llm", ["namespace"] = AgentNamespace },
        ["type"] = "Opaque",
        ["stringData"] = new JsonObject { ["api-key"] = key },
    };

    private static ResourceType Deployments { get; } = new("apps", "v1", "deployments");

    /// <summary>
    /// What the AppHost and a test change in the agent's Deployment: the "configured" annotation
    /// (a key, or an OpenAI-compatible server: AgentBringUp.IsConfigured), added environment, the
    /// test's own edit.
    /// </summary>
    private static void Customize(JsonObject deployment, AgentWorldOptions options)
    {
        var template = deployment["spec"]!["template"]!.AsObject();
        if (options.LlmKey is not null || options.ExtraOpenAiModels is not null)
        {
            var metadata = template["metadata"]!.AsObject();
            var annotations = metadata["annotations"] as JsonObject ?? [];
            annotations[KeyAnnotation] = "2026-01-01T00:00:00.0000000+00:00";
            metadata["annotations"] = annotations;
        }

        var container = template["spec"]!["containers"]![0]!.AsObject();
        var env = container["env"] as JsonArray ?? [];
        foreach (var entry in options.AddedContainerEnv)
        {
            env.Add(entry.DeepClone());
        }

        container["env"] = env;
        options.EditDeployment?.Invoke(deployment);
    }

    private static void EnsureNamespace(FakeKubernetesApi api, JsonObject item)
    {
        if (JsonFields(item, "metadata", "namespace") is { } ns && api.Get(ResourceType.Namespaces, null, ns) is null)
        {
            api.Put(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } }, "kafkademo");
        }
    }

    /// <summary>A Strimzi CustomResourceDefinition reduced to what the fake serves (kafka.strimzi.io/v1, namespaced, a status subresource).</summary>
    private static JsonObject StrimziDefinition(string kind)
    {
        var plural = kind.ToLowerInvariant() + "s";
        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = $"{plural}.kafka.strimzi.io" },
            ["spec"] = new JsonObject
            {
                ["group"] = "kafka.strimzi.io",
                ["scope"] = "Namespaced",
                ["names"] = new JsonObject { ["plural"] = plural, ["singular"] = kind.ToLowerInvariant(), ["kind"] = kind },
                ["versions"] = new JsonArray(new JsonObject
                {
                    ["name"] = "v1",
                    ["served"] = true,
                    ["storage"] = true,
                    ["subresources"] = new JsonObject { ["status"] = new JsonObject() },
                    ["schema"] = new JsonObject { ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true } },
                }),
            },
        };
    }

    private static string? JsonFields(JsonNode? node, params string[] path)
    {
        foreach (var part in path)
        {
            node = node?[part];
        }

        return node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
    }

    private static async Task WaitForAsync(Func<bool> condition, string failure, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            try
            {
                await Task.Delay(20, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(failure);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await pods.DisposeAsync();
        }
        finally
        {
            await Api.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}
