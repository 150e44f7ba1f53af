using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.OverseerIdentity;
using KafkaDemo.AppHost.Strimzi;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.K3dMode;

/// <summary>
/// Kafka's lifecycle in k3d mode, for as long as the AppHost runs: wait for the cluster (WaitFor,
/// through <see cref="BeforeResourceStartedEvent"/>), bring Strimzi's Kafka up in it with the
/// Overseer's identity, run; when the cluster leaves Running (deleted or recreated), stop what ran
/// against it and wait again. It never starts, stops or orders anything but its own resource.
/// </summary>
public sealed class K3dKafkaLifecycle(
    KafkaBringUp bringUp,
    OverseerCredentials overseer,
    DependencyGate gate,
    ResourceNotificationService notifications,
    ResourceLoggerService loggers,
    ILogger<K3dKafkaLifecycle> appLog)
{
    /// <summary>From Kafka's InitializeResourceEvent; returns when the AppHost stops.</summary>
    public Task RunAsync(K3dKafkaResource kafka, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(e);
        // If the cluster fails (StopOnResourceUnavailable), so does Kafka, naming it, until the cluster changes.
        return gate.FollowAsync(e, kafka.Cluster, "The k3d cluster", inCluster => BringUpAsync(kafka, e, inCluster), cancellationToken);
    }

    /// <summary>Asks Strimzi to restart every broker, one at a time.</summary>
    public async Task<ExecuteCommandResult> RestartBrokersAsync(K3dKafkaResource kafka, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        var log = loggers.GetLogger(kafka);
        try
        {
            using var api = kafka.Cluster.Connect();
            await KafkaBringUp.RequestRollingRestartAsync(api, cancellationToken);
            log.LogInformation("Rolling restart requested: Strimzi restarts the brokers one at a time at its next reconciliation (within 2 minutes).");
            return CommandResults.Success();
        }
        catch (KubernetesApiException ex)
        {
            log.LogError("Rolling restart failed: {Message}", ex.Message);
            return CommandResults.Failure(ex.Message);
        }
    }

    /// <summary>
    /// Strimzi and Kafka in the cluster, then the Overseer's identity, then Running. Failures end in
    /// FailedToStart with their cause and fix. <paramref name="inCluster"/> is cancelled when the
    /// cluster leaves Running; it also ends the Overseer's token renewal.
    /// </summary>
    private async Task BringUpAsync(K3dKafkaResource kafka, InitializeResourceEvent e, CancellationToken inCluster)
    {
        var log = e.Logger;
        var kubeconfig = kafka.Cluster.KubeconfigPath;
        try
        {
            using var api = kafka.Cluster.Connect();
            var bootstrap = await bringUp.RunAsync(api, log, s => notifications.SetAsync(kafka, s),
                pods => _ = notifications.PublishUpdateAsync(kafka, s => s with { Properties = [.. s.Properties.Where(p => p.Name != "Brokers"), new("Brokers", pods)] }),
                inCluster);
            log.LogInformation("Kafka is Ready. Bootstrap servers (from the Kafka resource's status): {Bootstrap}", bootstrap);

            // Before Kafka counts as running, since the Overseer (which waits for it) starts with this kubeconfig.
            await overseer.SetUpAndRenewAsync(api, kafka.Cluster, log, inCluster);

            await e.PublishRunningAsync(kafka, bootstrap, inCluster, ("Kubeconfig", kubeconfig));
        }
        catch (OperationCanceledException) when (inCluster.IsCancellationRequested)
        {
            // the cluster left Running (or the AppHost stops) during the bring-up
        }
        catch (Exception ex) when (ex is ClusterSetupException or KubernetesApiException or IOException or k8s.Exceptions.KubeConfigException)
        {
            await notifications.FailedAsync(kafka, log, appLog, ex.Message);
        }
    }
}
