using System.Collections.Concurrent;
using KafkaDemo.AppHost.Lifecycle;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.K3d;

/// <summary>
/// The k3d cluster's lifecycle: brings it up at start (create, start or reuse), and runs its
/// dashboard commands (recreate, delete), one at a time per cluster. It knows nothing of what runs in
/// the cluster: Kafka and the agent wait for it with WaitFor and notice when it leaves Running. Every
/// failure ends in FailedToStart with its cause and fix, in the cluster's console and the AppHost's log.
/// </summary>
public sealed class K3dClusterLifecycle(
    ClusterBringUp bringUp,
    K3dCli cli,
    ResourceNotificationService notifications,
    ResourceLoggerService loggers,
    IHostApplicationLifetime lifetime,
    ILogger<K3dClusterLifecycle> appLog) : IDisposable
{
    private const string Busy = "The cluster is being brought up or changed; try again when that is done.";

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>From the cluster's InitializeResourceEvent: the first bring-up.</summary>
    public async Task StartAsync(K3dClusterResource cluster, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(e);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var gate = Gate(cluster);
        try
        {
            // The cluster waits for nothing today; publishing the event keeps a WaitFor put on it honest
            // (Aspire's WaitFor is a subscriber of this event, ApplicationOrchestrator.WaitForInBeforeResourceStartedEvent).
            await e.Eventing.PublishAsync(new BeforeResourceStartedEvent(cluster, e.Services), stopping.Token);
            await gate.WaitAsync(stopping.Token);
            try
            {
                await BringUpAsync(cluster, stopping.Token);
            }
            finally
            {
                gate.Release();
            }
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

    /// <summary>The recreate-cluster command: deletes the cluster and brings it up again.</summary>
    public async Task<ExecuteCommandResult> RecreateAsync(K3dClusterResource cluster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var gate = Gate(cluster);
        if (!await gate.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            return CommandResults.Failure(Busy);
        }

        try
        {
            if (!await DeleteCoreAsync(cluster, cancellationToken))
            {
                return CommandResults.Failure("Deleting the cluster failed; see the k3d resource's console.");
            }

            return await BringUpAsync(cluster, cancellationToken)
                ? CommandResults.Success("The cluster was recreated; Kafka and the agent follow it, as they wait for it.")
                : CommandResults.Failure("The cluster could not be brought up again; see the k3d resource's console.");
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The delete-cluster command.</summary>
    public async Task<ExecuteCommandResult> DeleteAsync(K3dClusterResource cluster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var gate = Gate(cluster);
        if (!await gate.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            return CommandResults.Failure(Busy);
        }

        try
        {
            return await DeleteCoreAsync(cluster, cancellationToken) ? CommandResults.Success() : CommandResults.Failure("Deleting the cluster failed; see the k3d resource's console.");
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var gate in _gates.Values)
        {
            gate.Dispose();
        }
    }

    private SemaphoreSlim Gate(K3dClusterResource cluster) => _gates.GetOrAdd(cluster.Name, _ => new SemaphoreSlim(1, 1));

    /// <returns>Whether the cluster runs.</returns>
    private async Task<bool> BringUpAsync(K3dClusterResource cluster, CancellationToken cancellationToken)
    {
        var log = loggers.GetLogger(cluster);
        try
        {
            var kubeconfig = await bringUp.RunAsync(log, s => notifications.SetAsync(cluster, s), cancellationToken);
            await notifications.RunningAsync(cluster, ("Cluster", cluster.Settings.ClusterName), ("Kubeconfig", kubeconfig));
            return true;
        }
        catch (ClusterSetupException ex)
        {
            await notifications.FailedAsync(cluster, log, appLog, ex.Message);
            return false;
        }
    }

    private async Task<bool> DeleteCoreAsync(K3dClusterResource cluster, CancellationToken cancellationToken)
    {
        var log = loggers.GetLogger(cluster);
        // Leaving Running is what Kafka and the agent watch for: they stop their work in the cluster and wait again.
        await notifications.SetAsync(cluster, K3dStates.DeletingCluster);
        try
        {
            await cli.DeleteClusterAsync(cluster.Settings.ClusterName, line => log.LogInformation("k3d: {Line}", line), cancellationToken);
            await notifications.SetAsync(cluster, K3dStates.Deleted);
            log.LogInformation("Deleted the k3d cluster {Name}.", cluster.Settings.ClusterName);
            return true;
        }
        catch (ClusterSetupException ex)
        {
            await notifications.FailedAsync(cluster, log, appLog, ex.Message);
            return false;
        }
    }
}
