using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaDemo.AppHost.Kubernetes;

/// <summary>
/// A cluster's readiness (k3d's or an existing one) as Aspire's WaitFor reads it: its Kubernetes API server answers
/// <c>GET /version</c> through the cluster's kubeconfig within 5 s. Aspire runs it only once the
/// resource is Running (Aspire 13.6 ResourceHealthCheckService).
/// </summary>
public sealed class ApiServerHealthCheck(IDemoCluster cluster) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Registers this check for the cluster under its <see cref="IDemoCluster.HealthCheckKey"/> and puts it on the
    /// resource: the one place both clusters (k3d's and an existing one) get their health check from.
    /// </summary>
    public static IResourceBuilder<TCluster> Register<TCluster>(IResourceBuilder<TCluster> cluster)
        where TCluster : IDemoCluster
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var resource = cluster.Resource;
        cluster.ApplicationBuilder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(resource.HealthCheckKey, _ => new ApiServerHealthCheck(resource), failureStatus: null, tags: null));
        return cluster.WithHealthCheck(resource.HealthCheckKey);
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(cluster.KubeconfigPath))
        {
            return HealthCheckResult.Unhealthy($"No kubeconfig at {cluster.KubeconfigPath} yet.");
        }

        try
        {
            using var api = cluster.Connect();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var version = await api.Client.Version.GetCodeAsync(timeout.Token);
            return HealthCheckResult.Healthy($"The API server {api.Client.BaseUri} answers: {version.GitVersion}.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The API server did not answer within {Timeout.TotalSeconds:0} s.");
        }
        catch (Exception ex) when (ex is HttpRequestException or k8s.Autorest.HttpOperationException or k8s.Exceptions.KubeConfigException or IOException)
        {
            return HealthCheckResult.Unhealthy($"The API server does not answer: {ex.Message}", ex);
        }
    }
}
