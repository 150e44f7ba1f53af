using KafkaDemo.AppHost.Agent;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.OverseerIdentity;
using KafkaDemo.AppHost.Strimzi;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.K3dMode;

/// <summary>
/// Drives the k3d and kafka resources through their states: brings the cluster and Kafka up at
/// start, and runs the dashboard commands (recreate, delete, rolling restart), one at a time.
/// Every failure ends in a failed state with its cause and fix, in the resource's console and in
/// the AppHost's log.
/// </summary>
public sealed class K3dEnvironment(
    K3dClusterResource cluster,
    KafkaClusterResource kafka,
    ClusterBringUp clusterBringUp,
    KafkaBringUp kafkaBringUp,
    K3dCli cli,
    ResourceNotificationService notifications,
    ResourceLoggerService loggers,
    ILogger<K3dEnvironment> appLog,
    VibectlAgentResource? agent = null,
    AgentBringUp? agentBringUp = null,
    OverseerCredentials? overseer = null) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CancellationTokenSource? _keyWait;
    private CancellationTokenSource? _renewal;

    /// <summary>Whether the last bring-up finished with Kafka running.</summary>
    public bool KafkaRunning { get; private set; }

    /// <summary>The cluster, then Kafka in it. Returns when both run, or one failed.</summary>
    public async Task BringUpAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await BringUpCoreAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<ExecuteCommandResult> RecreateAsync(CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            return CommandResults.Failure("The cluster is being brought up or changed; try again when that is done.");
        }

        try
        {
            if (!await DeleteCoreAsync(cancellationToken))
            {
                return CommandResults.Failure("Deleting the cluster failed; see the k3d resource's console.");
            }

            await BringUpCoreAsync(cancellationToken);
            return KafkaRunning ? CommandResults.Success() : CommandResults.Failure("The cluster was recreated, but Kafka did not come up; see the consoles.");
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<ExecuteCommandResult> DeleteAsync(CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            return CommandResults.Failure("The cluster is being brought up or changed; try again when that is done.");
        }

        try
        {
            return await DeleteCoreAsync(cancellationToken) ? CommandResults.Success() : CommandResults.Failure("Deleting the cluster failed; see the k3d resource's console.");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Asks Strimzi to restart every broker, one at a time.</summary>
    public async Task<ExecuteCommandResult> RestartBrokersAsync(CancellationToken cancellationToken)
    {
        var log = loggers.GetLogger(kafka);
        try
        {
            using var api = KubernetesApi.FromKubeconfig(cluster.KubeconfigPath);
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

    /// <summary>Deletes the cluster if configured to when the AppHost stops.</summary>
    public async Task DeleteOnExitAsync(CancellationToken cancellationToken)
    {
        if (!cluster.Settings.DeleteOnExit)
        {
            appLog.LogInformation("The k3d cluster {Name} keeps running, so the next start is fast (KafkaDemo:K3d:DeleteOnExit=true deletes it; or: k3d cluster delete {Name}).",
                cluster.Settings.ClusterName, cluster.Settings.ClusterName);
            return;
        }

        appLog.LogInformation("Deleting the k3d cluster {Name} (KafkaDemo:K3d:DeleteOnExit=true).", cluster.Settings.ClusterName);
        try
        {
            await cli.DeleteClusterAsync(cluster.Settings.ClusterName, line => appLog.LogInformation("k3d: {Line}", line), cancellationToken);
        }
        catch (K3dSetupException ex)
        {
            appLog.LogError("{Message}", ex.Message);
        }
    }

    public void Dispose()
    {
        _keyWait?.Cancel();
        _keyWait?.Dispose();
        _renewal?.Cancel();
        _renewal?.Dispose();
        _gate.Dispose();
    }

    private async Task BringUpCoreAsync(CancellationToken cancellationToken)
    {
        KafkaRunning = false;
        var clusterLog = loggers.GetLogger(cluster);
        var kafkaLog = loggers.GetLogger(kafka);
        await notifications.SetAsync(kafka, K3dStates.WaitingForCluster);
        string kubeconfig;
        try
        {
            kubeconfig = await clusterBringUp.RunAsync(clusterLog, s => notifications.SetAsync(cluster, s), cancellationToken);
            await notifications.RunningAsync(cluster, ("Cluster", cluster.Settings.ClusterName), ("Kubeconfig", kubeconfig));
        }
        catch (K3dSetupException ex)
        {
            await notifications.FailedAsync(cluster, clusterLog, appLog, ex.Message);
            await notifications.FailedAsync(kafka, kafkaLog, appLog, $"The k3d cluster is not available: {ex.Cause}");
            return;
        }

        try
        {
            using var api = KubernetesApi.FromKubeconfig(kubeconfig);
            var bootstrap = await kafkaBringUp.RunAsync(api, kafkaLog, s => notifications.SetAsync(kafka, s),
                pods => _ = notifications.PublishUpdateAsync(kafka, s => s with { Properties = [.. s.Properties.Where(p => p.Name != "Brokers"), new("Brokers", pods)] }),
                cancellationToken);
            kafka.BootstrapServers.Set(bootstrap);
            kafkaLog.LogInformation("Kafka is Ready. Bootstrap servers (from the Kafka resource's status): {Bootstrap}", bootstrap);

            // Before Kafka counts as running, since the Overseer (which waits for it) starts with this kubeconfig.
            await SetUpOverseerAsync(api, kubeconfig, kafkaLog, cancellationToken);
            await notifications.RunningAsync(kafka, ("Bootstrap servers", bootstrap), ("Kubeconfig", kubeconfig));
            KafkaRunning = true;
        }
        catch (K3dSetupException ex)
        {
            await notifications.FailedAsync(kafka, kafkaLog, appLog, ex.Message);
            return;
        }

        await DeployAgentAsync(kubeconfig, cancellationToken);
    }

    /// <summary>
    /// The Overseer's own identity (<see cref="OverseerCredentials"/>): its objects, a first token in its
    /// kubeconfig, and the renewal, which runs until the cluster is deleted or recreated.
    /// </summary>
    /// <exception cref="K3dSetupException">An object or the token was refused.</exception>
    private async Task SetUpOverseerAsync(KubernetesApi api, string kubeconfig, ILogger log, CancellationToken cancellationToken)
    {
        if (overseer is null)
        {
            return;
        }

        StopRenewal();
        var expires = await overseer.SetUpAsync(api, kubeconfig, log, cancellationToken);
        _renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = overseer.RenewAsync(async token =>
        {
            using var fresh = KubernetesApi.FromKubeconfig(kubeconfig);
            return await overseer.IssueAsync(fresh, kubeconfig, log, token);
        }, expires, log, _renewal.Token);
    }

    private void StopRenewal()
    {
        _renewal?.Cancel();
        _renewal?.Dispose();
        _renewal = null;
    }

    /// <summary>
    /// Deploys the agent; its failures are its own (Kafka and the load keep running). Without an
    /// LLM key and without an OpenAI-compatible server (which may need no key) it is deployed but
    /// not configured; a key that arrives later is put in place then.
    /// </summary>
    private async Task DeployAgentAsync(string kubeconfig, CancellationToken cancellationToken)
    {
        if (agent is null || agentBringUp is null)
        {
            return;
        }

        var log = loggers.GetLogger(agent);
        try
        {
            using var api = KubernetesApi.FromKubeconfig(kubeconfig);
            var model = await agent.Model.GetValueAsync(cancellationToken) ?? "";
            var baseUrl = await agent.BaseUrl.GetValueAsync(cancellationToken) ?? "";
            // Without a value, the dashboard asks for one and this waits; with no dashboard it throws.
            var keyTask = agent.ApiKey.GetValueAsync(cancellationToken).AsTask();
            await Task.WhenAny(keyTask, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken));
            var key = keyTask.IsCompletedSuccessfully ? keyTask.Result : null;
            await agentBringUp.DeployAsync(api, model, baseUrl, string.IsNullOrEmpty(key) ? null : key, log, s => notifications.SetAsync(agent, s), cancellationToken);
            if (string.IsNullOrEmpty(key) && !keyTask.IsCompleted)
            {
                _keyWait?.Dispose();
                _keyWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                _ = SetKeyWhenGivenAsync(kubeconfig, keyTask, model, baseUrl, log, _keyWait.Token);
            }

            if (!AgentBringUp.IsConfigured(baseUrl, key))
            {
                log.LogWarning("The agent is deployed but not configured: it has no LLM key. Set the parameter llm-api-key in the dashboard, "
                    + "or before starting: dotnet user-secrets set Parameters:llm-api-key <key> --project KafkaDemo.AppHost (or the environment variable Parameters__llm-api-key).");
                await notifications.SetAsync(agent, AgentStates.NotConfigured, KnownResourceStateStyles.Warn);
                return;
            }

            await notifications.SetAsync(agent, AgentStates.WaitingForPod);
            await AgentBringUp.WaitForPodAsync(api, cancellationToken);
            await notifications.RunningAsync(agent, ("Model", model), ("Image", AgentImage.Reference));
        }
        catch (Exception ex) when (ex is K3dSetupException or KubernetesApiException)
        {
            await notifications.FailedAsync(agent, log, appLog, ex.Message);
        }
    }

    private async Task SetKeyWhenGivenAsync(string kubeconfig, Task<string?> keyTask, string model, string baseUrl, ILogger log, CancellationToken cancellationToken)
    {
        try
        {
            var key = await keyTask.WaitAsync(cancellationToken);
            if (string.IsNullOrEmpty(key) || agent is null || agentBringUp is null)
            {
                return;
            }

            using var api = KubernetesApi.FromKubeconfig(kubeconfig);
            await agentBringUp.SetKeyAsync(api, key, model, baseUrl, log, cancellationToken);
            await notifications.SetAsync(agent, AgentStates.WaitingForPod);
            await AgentBringUp.WaitForPodAsync(api, cancellationToken);
            await notifications.RunningAsync(agent, ("Model", model), ("Image", AgentImage.Reference));
        }
        catch (OperationCanceledException)
        {
        }
        catch (MissingParameterValueException)
        {
            // No dashboard to ask: the agent stays not configured.
        }
        catch (Exception ex) when (ex is K3dSetupException or KubernetesApiException)
        {
            await notifications.FailedAsync(agent!, log, appLog, ex.Message);
        }
    }

    private async Task<bool> DeleteCoreAsync(CancellationToken cancellationToken)
    {
        var log = loggers.GetLogger(cluster);
        KafkaRunning = false;
        _keyWait?.Cancel();
        StopRenewal();
        if (agent is not null)
        {
            await notifications.SetAsync(agent, AgentStates.WaitingForKafka);
        }

        await notifications.SetAsync(cluster, K3dStates.DeletingCluster);
        await notifications.SetAsync(kafka, K3dStates.WaitingForCluster);
        try
        {
            await cli.DeleteClusterAsync(cluster.Settings.ClusterName, line => log.LogInformation("k3d: {Line}", line), cancellationToken);
            await notifications.SetAsync(cluster, K3dStates.Deleted);
            log.LogInformation("Deleted the k3d cluster {Name}.", cluster.Settings.ClusterName);
            return true;
        }
        catch (K3dSetupException ex)
        {
            await notifications.FailedAsync(cluster, log, appLog, ex.Message);
            return false;
        }
    }
}
