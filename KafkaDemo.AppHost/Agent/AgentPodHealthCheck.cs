using KafkaDemo.AppHost.Kubernetes;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaDemo.AppHost.Agent;

/// <summary>
/// The agent's readiness: its Deployment has rolled out and its pod is available, read through the
/// cluster's kubeconfig within 5 s. Aspire runs it only once the agent is Running (Aspire 13.6
/// ResourceHealthCheckService): a configured agent whose pod went away shows Unhealthy.
/// </summary>
public sealed class AgentPodHealthCheck(VibectlAgentResource agent) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var api = KubernetesApi.FromKubeconfig(agent.Cluster.KubeconfigPath);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var deployment = await api.GetAsync(ApiKinds.Deployment, AgentManifests.Namespace, AgentManifests.DeploymentName, timeout.Token);
            return deployment is null
                ? HealthCheckResult.Unhealthy($"Deployment {AgentManifests.Namespace}/{AgentManifests.DeploymentName} does not exist.")
                : AgentBringUp.NewestPodAvailable(deployment)
                    ? HealthCheckResult.Healthy("The agent's pod is available.")
                    : HealthCheckResult.Unhealthy("The agent's pod is not available (yet).");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The API server did not answer within {Timeout.TotalSeconds:0} s.");
        }
        catch (Exception ex) when (ex is KubernetesApiException or HttpRequestException or k8s.Autorest.HttpOperationException or k8s.Exceptions.KubeConfigException or IOException)
        {
            return HealthCheckResult.Unhealthy($"Reading the agent's Deployment failed: {ex.Message}", ex);
        }
    }
}
