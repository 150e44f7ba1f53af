using System.Globalization;
using System.Text.Json.Nodes;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Settings;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Agent;

/// <summary>
/// Deploys the vibectl agent into the k3d cluster: builds its image (unless that tag exists),
/// imports it with k3d, applies the agent's objects, and once the LLM key has a value, puts it in a
/// Secret and restarts the pod so it reads it. The HMAC secret never goes there.
/// </summary>
public sealed class AgentBringUp(K3dCli cli, K3dSettings settings, TimeProvider time)
{
    /// <summary>Builds, imports and applies everything but the key. Returns once the objects are applied.</summary>
    /// <exception cref="K3dSetupException">A step failed.</exception>
    public async Task DeployAsync(KubernetesApi api, string model, string baseUrl, string? apiKey, ILogger log, Func<string, Task> state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(state);
        var image = AgentImage.Reference;
        if (await cli.ImageExistsAsync(image, cancellationToken))
        {
            log.LogInformation("Image {Image} is already built (its tag is a hash of k3d/agent/).", image);
        }
        else
        {
            await state(AgentStates.BuildingImage);
            var context = Path.Combine(settings.ResolvedStateDirectory, "agent-build", AgentImage.Tag);
            AgentImage.WriteBuildContext(context);
            log.LogInformation("Building {Image} from {Context}.", image, context);
            await cli.BuildImageAsync(image, context, line => log.LogInformation("docker: {Line}", line), cancellationToken);
        }

        await state(AgentStates.ImportingImage);
        await cli.ImportImageAsync(image, settings.ClusterName, line => log.LogInformation("k3d: {Line}", line), cancellationToken);

        await state(AgentStates.Deploying);
        // The namespace first: the ConfigMap and the Secret live in it.
        var items = AgentManifests.Render(image, keySetAt: null);
        foreach (var item in items.Where(IsNamespace))
        {
            await api.ApplyDuringSetupAsync(item, log, cancellationToken);
        }

        if (!string.IsNullOrWhiteSpace(baseUrl))
        {
            await api.ApplyDuringSetupAsync(AgentManifests.ModelsConfigMap(model, baseUrl), log, cancellationToken);
            log.LogInformation("Model {Model} is served by the OpenAI-compatible server {BaseUrl} (llm's extra-openai-models.yaml, supports_schema: true).", model, baseUrl);
        }

        string? keySetAt = null;
        if (!string.IsNullOrEmpty(apiKey))
        {
            await api.ApplyDuringSetupAsync(AgentManifests.Secret(apiKey), log, cancellationToken);
            keySetAt = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            log.LogInformation("The LLM key is in Secret {Namespace}/{Secret}.", AgentManifests.Namespace, AgentManifests.SecretName);
        }

        foreach (var item in AgentManifests.Render(image, keySetAt).Where(i => !IsNamespace(i)))
        {
            await api.ApplyDuringSetupAsync(item, log, cancellationToken);
        }
    }

    private static bool IsNamespace(JsonObject item) => (string?)item["kind"] == "Namespace";

    /// <summary>Puts a key that arrived later into the Secret and restarts the pod so it reads it.</summary>
    public async Task SetKeyAsync(KubernetesApi api, string apiKey, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(log);
        await api.ApplyAsync(AgentManifests.Secret(apiKey), cancellationToken);
        await api.MergePatchAsync(ApiKinds.Deployment, AgentManifests.Namespace, AgentManifests.DeploymentName, new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["annotations"] = new JsonObject { [AgentManifests.KeyAnnotation] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) },
                    },
                },
            },
        }, cancellationToken);
        log.LogInformation("The LLM key is in Secret {Namespace}/{Secret}; the agent pod restarts to read it.", AgentManifests.Namespace, AgentManifests.SecretName);
    }

    /// <summary>Waits until the Deployment's newest pod is available.</summary>
    public static Task WaitForPodAsync(KubernetesApi api, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        return api.WaitForAsync(ApiKinds.Deployment, AgentManifests.Namespace, AgentManifests.DeploymentName,
            d => (long?)d!["status"]?["observedGeneration"] >= (long?)d["metadata"]?["generation"]
                && (int?)d["status"]?["updatedReplicas"] >= 1 && (int?)d["status"]?["availableReplicas"] >= 1
                && ((int?)d["status"]?["replicas"] ?? 0) <= ((int?)d["status"]?["updatedReplicas"] ?? 0),
            null, cancellationToken);
    }
}
