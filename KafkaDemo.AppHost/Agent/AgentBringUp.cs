using System.Globalization;
using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Settings;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Agent;

/// <summary>
/// Deploys the vibectl agent into the cluster: its image from the <see cref="AgentImageSource"/> (in
/// k3d: built unless that tag exists, imported with k3d), applies the agent's objects, and, once its LLM access is configured (a key
/// in its Secret, or an OpenAI-compatible server that may need none), marks the pod template
/// configured and restarts the pod so it reads it. The HMAC secret never goes there.
/// </summary>
/// <param name="kafka">The Kafka the agent tunes: its Role, binding and admission policy name it (<see cref="AgentManifests.Render"/>).</param>
public sealed class AgentBringUp(AgentImageSource images, TimeProvider time, KafkaTarget kafka)
{
    /// <summary>The image the agent runs, when one is configured.</summary>
    public string? ImageReference => images.Reference;

    /// <summary>Whether these settings configure the agent's LLM access: a key, or a server that may need none.</summary>
    public static bool IsConfigured(string baseUrl, string? apiKey) => !string.IsNullOrEmpty(apiKey) || !string.IsNullOrWhiteSpace(baseUrl);

    /// <summary>Builds, imports and applies everything. Returns once the objects are applied.</summary>
    /// <exception cref="ClusterSetupException">A step failed, or <paramref name="baseUrl"/> is no http(s) URL.</exception>
    public async Task DeployAsync(KubernetesApi api, string model, string baseUrl, string? apiKey, ILogger log, Func<string, Task> state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(state);
        CheckBaseUrl(baseUrl, log);
        CheckKey(apiKey);
        var image = await images.ProvideAsync(log, state, cancellationToken);

        await state(AgentStates.Deploying);
        // The namespace first: the ConfigMap and the Secret live in it.
        var items = AgentManifests.Render(image, configuredAt: null, images.PullPolicy, kafka);
        foreach (var item in items.Where(IsNamespace))
        {
            await api.ApplyDuringSetupAsync(item, log, cancellationToken);
        }

        var withKey = !string.IsNullOrEmpty(apiKey);
        if (!string.IsNullOrWhiteSpace(baseUrl))
        {
            await api.ApplyDuringSetupAsync(AgentManifests.ModelsConfigMap(model, baseUrl, withKey), log, cancellationToken);
            log.LogInformation("Model {Model} is served by the OpenAI-compatible server {BaseUrl} (llm's extra-openai-models.yaml, supports_schema: true), {Key}.",
                model, baseUrl, withKey ? "with the key from llm-api-key" : "with no key (llm-api-key is empty)");
        }

        if (withKey)
        {
            await api.ApplyDuringSetupAsync(AgentManifests.Secret(apiKey!), log, cancellationToken);
            log.LogInformation("The LLM key is in Secret {Namespace}/{Secret}.", AgentManifests.Namespace, AgentManifests.SecretName);
        }

        var configuredAt = IsConfigured(baseUrl, apiKey) ? time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) : null;
        foreach (var item in AgentManifests.Render(image, configuredAt, images.PullPolicy, kafka).Where(i => !IsNamespace(i)))
        {
            await api.ApplyDuringSetupAsync(item, log, cancellationToken);
        }
    }

    private static bool IsNamespace(JsonObject item) => (string?)item["kind"] == "Namespace";

    /// <summary>
    /// Puts a key that arrived later into the Secret (and, for an OpenAI-compatible server, into the
    /// model list as api_key_name, so llm sends it) and restarts the pod so it reads both.
    /// </summary>
    public async Task SetKeyAsync(KubernetesApi api, string apiKey, string model, string baseUrl, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(log);
        CheckKey(apiKey);
        await api.ApplyAsync(AgentManifests.Secret(apiKey), cancellationToken);
        if (!string.IsNullOrWhiteSpace(baseUrl))
        {
            await api.ApplyAsync(AgentManifests.ModelsConfigMap(model, baseUrl, withKey: true), cancellationToken);
        }

        await api.MergePatchAsync(ApiKinds.Deployment, AgentManifests.Namespace, AgentManifests.DeploymentName, new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["annotations"] = new JsonObject { [AgentManifests.ConfiguredAnnotation] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) },
                    },
                },
            },
        }, cancellationToken);
        log.LogInformation("The LLM key is in Secret {Namespace}/{Secret}; the agent pod restarts to read it.", AgentManifests.Namespace, AgentManifests.SecretName);
    }

    /// <summary>
    /// The key must reach llm's keys.json as it is: k3d/agent/idle.sh takes only
    /// <see cref="AgentManifests.KeyCharacters"/>. Refused here, before anything is deployed, with a
    /// message that does not quote it.
    /// </summary>
    private static void CheckKey(string? apiKey)
    {
        if (!string.IsNullOrEmpty(apiKey) && !AgentManifests.IsUsableKey(apiKey))
        {
            throw new ClusterSetupException($"The parameter llm-api-key has a character other than {AgentManifests.KeyCharacters}, so the agent's pod could not give it to llm.",
                "Check the value (a stray quote, space or line break?) and set it again in the dashboard or with dotnet user-secrets set Parameters:llm-api-key.");
        }
    }

    /// <summary>
    /// llm calls the server from inside the agent pod: an http(s) URL is required, and a loopback
    /// host there is the pod itself, not this machine (k3d names the host host.k3d.internal).
    /// </summary>
    private static void CheckBaseUrl(string baseUrl, ILogger log)
    {
        if (string.IsNullOrWhiteSpace(baseUrl))
        {
            return;
        }

        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ClusterSetupException($"The parameter llm-base-url ('{baseUrl}') is not an http or https URL.",
                "Set it to the OpenAI-compatible server's base URL as the agent pod reaches it, for example http://host.k3d.internal:8000/v1, or leave it empty.");
        }

        if (uri.IsLoopback)
        {
            log.LogWarning("llm-base-url {BaseUrl} is a loopback address: inside the agent pod that is the pod itself, not this machine. "
                + "For a server on this machine use http://host.k3d.internal:{Port}{Path}.", baseUrl, uri.Port, uri.AbsolutePath);
        }
    }

    /// <summary>Waits until the Deployment's newest pod is available.</summary>
    public static Task WaitForPodAsync(KubernetesApi api, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        return api.WaitForAsync(ApiKinds.Deployment, AgentManifests.Namespace, AgentManifests.DeploymentName, d => NewestPodAvailable(d!), null, cancellationToken);
    }

    /// <summary>Whether the agent's Deployment has rolled out: its newest pod is available, and no older one is left.</summary>
    public static bool NewestPodAvailable(JsonObject deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return (long?)deployment["status"]?["observedGeneration"] >= (long?)deployment["metadata"]?["generation"]
            && (int?)deployment["status"]?["updatedReplicas"] >= 1 && (int?)deployment["status"]?["availableReplicas"] >= 1
            && ((int?)deployment["status"]?["replicas"] ?? 0) <= ((int?)deployment["status"]?["updatedReplicas"] ?? 0);
    }
}
