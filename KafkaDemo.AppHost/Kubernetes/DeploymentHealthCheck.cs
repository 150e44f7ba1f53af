using System.Text.Json.Nodes;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaDemo.AppHost.Kubernetes;

/// <summary>
/// A resource whose health is a Deployment's: read through the cluster's kubeconfig within 5 s, and
/// judged by <paramref name="problem"/> (null: healthy). Aspire runs a resource's health check only
/// once it is Running (Aspire 13.6 ResourceHealthCheckService).
/// </summary>
/// <param name="cluster">The cluster.</param>
/// <param name="ns">The Deployment's namespace.</param>
/// <param name="name">The Deployment's name.</param>
/// <param name="problem">Why the Deployment read is not healthy, or null when it is.</param>
/// <param name="healthy">What a healthy result says.</param>
public sealed class DeploymentHealthCheck(IDemoCluster cluster, string ns, string name, Func<JsonObject, string?> problem, string healthy) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var api = cluster.Connect();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var deployment = await api.GetAsync(ApiKinds.Deployment, ns, name, timeout.Token);
            return deployment is null ? HealthCheckResult.Unhealthy($"Deployment {ns}/{name} does not exist.")
                : problem(deployment) is { } found ? HealthCheckResult.Unhealthy(found)
                : HealthCheckResult.Healthy(healthy);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The API server did not answer within {Timeout.TotalSeconds:0} s.");
        }
        catch (Exception ex) when (ex is KubernetesApiException or HttpRequestException or k8s.Autorest.HttpOperationException or k8s.Exceptions.KubeConfigException or IOException)
        {
            return HealthCheckResult.Unhealthy($"Reading Deployment {ns}/{name} failed: {ex.Message}", ex);
        }
    }

    /// <summary>The Deployment's Available condition (at least replicas minus maxUnavailable ready), or why not.</summary>
    public static string? NotAvailable(JsonObject deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var available = deployment["status"]?["conditions"]?.AsArray().OfType<JsonObject>().LastOrDefault(c => (string?)c["type"] == "Available");
        return (string?)available?["status"] == "True" ? null
            : $"Deployment {(string?)deployment["metadata"]?["name"]} is not available: {(string?)available?["message"] ?? "no Available condition yet"}.";
    }
}
