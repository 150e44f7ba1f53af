using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.DeploymentContract.Load;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaDemo.AppHost.Placement;

/// <summary>
/// A Deployment of the load is healthy while it is available (condition Available=True: at least
/// its replicas minus maxUnavailable are ready), read through the cluster's kubeconfig within 5 s.
/// Aspire runs it once the resource is Running (Aspire 13.6 ResourceHealthCheckService).
/// </summary>
public sealed class DeploymentHealthCheck(ClusterDeploymentResource resource) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var name = resource.Spec.Deployment;
        try
        {
            using var api = KubernetesApi.FromKubeconfig(resource.Cluster.KubeconfigPath);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var deployment = await api.GetAsync(ApiKinds.Deployment, LoadDeployment.Namespace, name, timeout.Token);
            var available = deployment?["status"]?["conditions"]?.AsArray().OfType<System.Text.Json.Nodes.JsonObject>()
                .LastOrDefault(c => (string?)c["type"] == "Available");
            return deployment is null ? HealthCheckResult.Unhealthy($"Deployment {LoadDeployment.Namespace}/{name} does not exist.")
                : (string?)available?["status"] == "True" ? HealthCheckResult.Healthy($"Deployment {name} is available.")
                : HealthCheckResult.Unhealthy($"Deployment {name} is not available: {(string?)available?["message"] ?? "no Available condition yet"}.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The API server did not answer within {Timeout.TotalSeconds:0} s.");
        }
        catch (Exception ex) when (ex is KubernetesApiException or HttpRequestException or k8s.Autorest.HttpOperationException or k8s.Exceptions.KubeConfigException or IOException)
        {
            return HealthCheckResult.Unhealthy($"Reading Deployment {name} failed: {ex.Message}", ex);
        }
    }
}
