using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Agent;

/// <summary>
/// The agent's lifecycle, for as long as the AppHost runs: wait for Kafka to be healthy (WaitFor,
/// through <see cref="BeforeResourceStartedEvent"/>), deploy the agent; when Kafka leaves Running
/// (its cluster deleted or recreated), stop and wait again. Its failures are its own: Kafka and the
/// load keep running. Without an LLM key and without an OpenAI-compatible server (which may need no
/// key) it is deployed but not configured; a key that arrives later is put in place then.
/// </summary>
public sealed class VibectlAgentLifecycle(
    AgentBringUp bringUp,
    ResourceNotificationService notifications,
    IHostApplicationLifetime lifetime,
    ILogger<VibectlAgentLifecycle> appLog)
{
    /// <summary>From the agent's InitializeResourceEvent; returns when the AppHost stops.</summary>
    public async Task RunAsync(VibectlAgentResource agent, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(e);
        // InitializeResourceEvent's token is the host's start token, not cancelled at shutdown (Aspire 13.6 OrchestratorHostService.StartAsync).
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var token = stopping.Token;
        try
        {
            while (true)
            {
                // The WaitFor(kafka) gate (WaitOnResourceUnavailable: through Kafka's failures). Aspire shows
                // the agent Waiting (WaitingFor kafka); no state of ours may be published meanwhile.
                await e.Eventing.PublishAsync(new BeforeResourceStartedEvent(agent, e.Services), token);

                if (!await notifications.WaitForFreshHealthAsync(agent.Kafka, token))
                {
                    continue; // Kafka went again before a fresh health report
                }

                using var withKafka = CancellationTokenSource.CreateLinkedTokenSource(token);
                var left = WhenKafkaLeavesRunningAsync(agent, withKafka, token);
                await DeployAsync(agent, e.Logger, withKafka.Token);
                var state = await left;
                e.Logger.LogInformation("Kafka is {State}: the agent waits for it again.", state);
                await notifications.NotStartedAgainAsync(agent);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // the AppHost stops
        }
        catch (Exception ex)
        {
            // InitializeResourceEvent is published NonBlockingConcurrent: an exception thrown here would not be observed.
            await notifications.FailedAsync(agent, e.Logger, appLog, ex.Message);
        }
    }

    private async Task<string?> WhenKafkaLeavesRunningAsync(VibectlAgentResource agent, CancellationTokenSource withKafka, CancellationToken stopping)
    {
        var gone = await notifications.WaitForResourceAsync(agent.Kafka.Name, k => !k.Snapshot.IsRunning(), stopping);
        await withKafka.CancelAsync();
        return gone.Snapshot.State?.Text;
    }

    /// <summary>Builds, imports and deploys the agent; a key that arrives later is put in place until <paramref name="withKafka"/> ends.</summary>
    private async Task DeployAsync(VibectlAgentResource agent, ILogger log, CancellationToken withKafka)
    {
        var kubeconfig = agent.Cluster.KubeconfigPath;
        try
        {
            using var api = KubernetesApi.FromKubeconfig(kubeconfig);
            var model = await agent.Model.GetValueAsync(withKafka) ?? "";
            var baseUrl = await agent.BaseUrl.GetValueAsync(withKafka) ?? "";
            // Without a value, the dashboard asks for one and this waits; with no dashboard it throws.
            var keyTask = agent.ApiKey.GetValueAsync(withKafka).AsTask();
            await Task.WhenAny(keyTask, Task.Delay(TimeSpan.FromSeconds(1), withKafka));
            var key = keyTask.IsCompletedSuccessfully ? keyTask.Result : null;
            await bringUp.DeployAsync(api, model, baseUrl, string.IsNullOrEmpty(key) ? null : key, log, s => notifications.SetAsync(agent, s), withKafka);
            if (string.IsNullOrEmpty(key) && !keyTask.IsCompleted)
            {
                _ = SetKeyWhenGivenAsync(agent, kubeconfig, keyTask, model, baseUrl, log, withKafka);
            }

            if (!AgentBringUp.IsConfigured(baseUrl, key))
            {
                log.LogWarning("The agent is deployed but not configured: it has no LLM key. Set the parameter llm-api-key in the dashboard, "
                    + "or before starting: dotnet user-secrets set Parameters:llm-api-key <key> --project KafkaDemo.AppHost (or the environment variable Parameters__llm-api-key).");
                await notifications.SetAsync(agent, AgentStates.NotConfigured, KnownResourceStateStyles.Warn);
                return;
            }

            await notifications.SetAsync(agent, AgentStates.WaitingForPod);
            await AgentBringUp.WaitForPodAsync(api, withKafka);
            await notifications.RunningAsync(agent, ("Model", model), ("Image", AgentImage.Reference));
        }
        catch (OperationCanceledException) when (withKafka.IsCancellationRequested)
        {
            // Kafka left Running (or the AppHost stops) during the deployment
        }
        catch (Exception ex) when (ex is K3dSetupException or KubernetesApiException or IOException or k8s.Exceptions.KubeConfigException)
        {
            await notifications.FailedAsync(agent, log, appLog, ex.Message);
        }
    }

    private async Task SetKeyWhenGivenAsync(VibectlAgentResource agent, string kubeconfig, Task<string?> keyTask, string model, string baseUrl, ILogger log, CancellationToken withKafka)
    {
        try
        {
            var key = await keyTask.WaitAsync(withKafka);
            if (string.IsNullOrEmpty(key))
            {
                return;
            }

            using var api = KubernetesApi.FromKubeconfig(kubeconfig);
            await bringUp.SetKeyAsync(api, key, model, baseUrl, log, withKafka);
            await notifications.SetAsync(agent, AgentStates.WaitingForPod);
            await AgentBringUp.WaitForPodAsync(api, withKafka);
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
            await notifications.FailedAsync(agent, log, appLog, ex.Message);
        }
    }
}
