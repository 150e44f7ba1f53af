using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
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
    DependencyGate gate,
    ResourceNotificationService notifications,
    ILogger<VibectlAgentLifecycle> appLog)
{
    /// <summary>From the agent's InitializeResourceEvent; returns when the AppHost stops.</summary>
    public Task RunAsync(VibectlAgentResource agent, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(e);
        // WaitOnResourceUnavailable: the agent waits through Kafka's failures.
        return gate.FollowAsync(e, agent.Kafka, "Kafka", withKafka => DeployAsync(agent, e.Logger, withKafka), cancellationToken);
    }

    /// <summary>Builds, imports and deploys the agent; a key that arrives later is put in place until <paramref name="withKafka"/> ends.</summary>
    private async Task DeployAsync(VibectlAgentResource agent, ILogger log, CancellationToken withKafka)
    {
        try
        {
            using var api = agent.Cluster.Connect();
            var model = await agent.Model.GetValueAsync(withKafka) ?? "";
            var baseUrl = await agent.BaseUrl.GetValueAsync(withKafka) ?? "";
            // Without a value, the dashboard asks for one and this waits; with no dashboard it throws.
            var keyTask = agent.ApiKey.GetValueAsync(withKafka).AsTask();
            await Task.WhenAny(keyTask, Task.Delay(TimeSpan.FromSeconds(1), withKafka));
            var key = keyTask.IsCompletedSuccessfully ? keyTask.Result : null;
            await bringUp.DeployAsync(api, model, baseUrl, string.IsNullOrEmpty(key) ? null : key, log, s => notifications.SetAsync(agent, s), withKafka);
            if (string.IsNullOrEmpty(key) && !keyTask.IsCompleted)
            {
                _ = SetKeyWhenGivenAsync(agent, keyTask, model, baseUrl, log, withKafka);
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
            await notifications.RunningAsync(agent, ("Model", model), ("Image", bringUp.ImageReference ?? ""));
        }
        catch (OperationCanceledException) when (withKafka.IsCancellationRequested)
        {
            // Kafka left Running (or the AppHost stops) during the deployment
        }
        catch (Exception ex) when (ex is ClusterSetupException or KubernetesApiException or IOException or k8s.Exceptions.KubeConfigException)
        {
            await notifications.FailedAsync(agent, log, appLog, ex.Message);
        }
    }

    private async Task SetKeyWhenGivenAsync(VibectlAgentResource agent, Task<string?> keyTask, string model, string baseUrl, ILogger log, CancellationToken withKafka)
    {
        try
        {
            var key = await keyTask.WaitAsync(withKafka);
            if (string.IsNullOrEmpty(key))
            {
                return;
            }

            using var api = agent.Cluster.Connect();
            await bringUp.SetKeyAsync(api, key, model, baseUrl, log, withKafka);
            await notifications.SetAsync(agent, AgentStates.WaitingForPod);
            await AgentBringUp.WaitForPodAsync(api, withKafka);
            await notifications.RunningAsync(agent, ("Model", model), ("Image", bringUp.ImageReference ?? ""));
        }
        catch (OperationCanceledException)
        {
        }
        catch (MissingParameterValueException)
        {
            // No dashboard to ask: the agent stays not configured.
        }
        catch (Exception ex) when (ex is ClusterSetupException or KubernetesApiException)
        {
            await notifications.FailedAsync(agent, log, appLog, ex.Message);
        }
    }
}
