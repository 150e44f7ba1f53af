using System.Globalization;
using k8s;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Strimzi;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.ExistingCluster;

/// <summary>
/// The existing cluster's lifecycle: at start (and on the check-again command) its API server must
/// answer and Strimzi's CRDs be there (<see cref="StrimziCrdCheck"/>); then Running, or FailedToStart
/// with what is missing and how to fix it. It creates nothing, installs nothing and deletes nothing.
/// </summary>
public sealed class ExistingClusterLifecycle(
    ResourceNotificationService notifications,
    ResourceLoggerService loggers,
    IHostApplicationLifetime lifetime,
    ILogger<ExistingClusterLifecycle> appLog) : IDisposable
{
    private static readonly TimeSpan ApiTimeout = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>From the cluster's InitializeResourceEvent.</summary>
    public async Task StartAsync(ExistingClusterResource cluster, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(e);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            // It waits for nothing; publishing the event keeps a WaitFor put on it honest (as K3dClusterLifecycle does).
            await e.Eventing.PublishAsync(new BeforeResourceStartedEvent(cluster, e.Services), stopping.Token);
            await CheckAsync(cluster, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // InitializeResourceEvent is published NonBlockingConcurrent: an exception thrown here would not be observed.
            await notifications.FailedAsync(cluster, e.Logger, appLog, ex.Message);
        }
    }

    /// <summary>The check-again command: after Strimzi was installed, or the kubeconfig's rights changed.</summary>
    public async Task<ExecuteCommandResult> CheckAgainAsync(ExistingClusterResource cluster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return await CheckAsync(cluster, cancellationToken)
            ? CommandResults.Success()
            : CommandResults.Failure("The cluster is not ready for the demo; see the cluster resource's console.");
    }

    public void Dispose() => _gate.Dispose();

    private async Task<bool> CheckAsync(ExistingClusterResource cluster, CancellationToken cancellationToken)
    {
        var log = loggers.GetLogger(cluster);
        if (!await _gate.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            return false;
        }

        try
        {
            await notifications.SetAsync(cluster, ExistingClusterStates.CheckingCluster);
            var where = cluster.Where();
            using var api = cluster.Connect();
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(ApiTimeout);
                var version = await api.Client.Version.GetCodeAsync(timeout.Token);
                log.LogInformation("The API server {Server} ({Where}) answers: Kubernetes {Version}. The AppHost creates no cluster and installs no operator in it.",
                    api.Client.BaseUri, where, version.GitVersion);
            }

            var crds = await StrimziCrdCheck.CheckAsync(api, where, cancellationToken);
            log.LogInformation("Strimzi's CRDs are installed, Established and serve kafka.strimzi.io/v1: {Crds}.", string.Join(", ", crds));
            await notifications.RunningAsync(cluster, ("Context", where));
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await notifications.FailedAsync(cluster, log, appLog, string.Create(CultureInfo.InvariantCulture,
                $"The API server of {cluster.Where()} did not answer within {ApiTimeout.TotalSeconds:0} s. Check that the cluster runs and that the kubeconfig reaches it (kubectl --kubeconfig {cluster.KubeconfigPath} version)."));
            return false;
        }
        catch (Exception ex) when (ex is ClusterSetupException or KubernetesApiException or HttpRequestException or k8s.Autorest.HttpOperationException or k8s.Exceptions.KubeConfigException or IOException)
        {
            var message = ex is ClusterSetupException ? ex.Message
                : $"The cluster of {cluster.Where()} cannot be reached: {ex.Message} Check the kubeconfig (KafkaDemo:External:Kubeconfig, KafkaDemo:External:Context) with kubectl --kubeconfig {cluster.KubeconfigPath} version.";
            await notifications.FailedAsync(cluster, log, appLog, message);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }
}
