using System.Globalization;
using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.OverseerIdentity;
using KafkaDemo.AppHost.Strimzi;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.ExistingCluster;

/// <summary>
/// Kafka's lifecycle in an existing cluster, for as long as the AppHost runs: wait for the cluster
/// (WaitFor: its API server answers, Strimzi's CRDs are there), read the Kafka resource (it must
/// exist: the AppHost applies no Kafka here), follow it until Ready, apply the demo's topics as its
/// KafkaTopics and follow them until Ready (<see cref="ExistingClusterTopics"/>), take the bootstrap
/// servers from its status (or ConnectionStrings:kafka), set up the Overseer's identity, Running. When
/// the cluster leaves Running (checked again), wait again.
/// </summary>
public sealed class ExistingKafkaLifecycle(
    OverseerCredentials overseer,
    DependencyGate gate,
    ResourceNotificationService notifications,
    ILogger<ExistingKafkaLifecycle> appLog)
{
    /// <summary>From Kafka's InitializeResourceEvent; returns when the AppHost stops.</summary>
    public Task RunAsync(ExistingKafkaResource kafka, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(e);
        return gate.FollowAsync(e, kafka.Cluster, kafka.Cluster.Description, inCluster => FollowAsync(kafka, e, inCluster), cancellationToken);
    }

    private async Task FollowAsync(ExistingKafkaResource kafka, InitializeResourceEvent e, CancellationToken inCluster)
    {
        var log = e.Logger;
        var cluster = kafka.Cluster;
        var what = $"Kafka {kafka.Namespace}/{kafka.KafkaName}";
        var timeoutSeconds = cluster.Settings.ReadyTimeoutSeconds;
        try
        {
            using var api = cluster.Connect();
            await notifications.SetAsync(kafka, ExistingClusterStates.ReadingKafka);
            if (await api.GetAsync(ApiKinds.Kafka, kafka.Namespace, kafka.KafkaName, inCluster) is null)
            {
                throw new ClusterSetupException(
                    $"{what} is not in {cluster.Where()}: Strimzi's CRDs are there, but no Kafka resource of that name (the AppHost applies none in an existing cluster).",
                    "Create it (for example kubectl apply -k k3d/kafka, which makes kafka/kafkademo), or set KafkaDemo:External:Namespace and KafkaDemo:External:KafkaName to yours.");
            }

            await notifications.SetAsync(kafka, K3dStates.WaitingForKafka);
            log.LogInformation("Waiting for {What} to be Ready (at most {Seconds} s, KafkaDemo:External:ReadyTimeoutSeconds).", what, timeoutSeconds);
            string? lastWord = null;
            var waiting = what;
            var kubectlGet = $"kafka {kafka.KafkaName}";
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(inCluster);
            deadline.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
            System.Text.Json.Nodes.JsonObject ready;
            try
            {
                ready = await KafkaBringUp.WaitForReadyAsync(api, ApiKinds.Kafka, kafka.Namespace, kafka.KafkaName, log, w => lastWord = w, deadline.Token);

                // The topics, after Kafka is Ready (its Topic Operator runs then), and Ready before the
                // services start: a producer to a topic that is not there fails where auto-create is off.
                var topics = await ExistingClusterTopics.ApplyAsync(api, cluster.Kafka, kafka.Topics, kafka.Partitions, kafka.ReplicationFactor, log, deadline.Token);
                foreach (var topic in topics)
                {
                    waiting = $"KafkaTopic {kafka.Namespace}/{topic}";
                    kubectlGet = $"kafkatopic {topic}";
                    lastWord = null;
                    await KafkaBringUp.WaitForReadyAsync(api, ApiKinds.KafkaTopic, kafka.Namespace, topic, log, w => lastWord = w, deadline.Token);
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !inCluster.IsCancellationRequested)
            {
                throw new ClusterSetupException(
                    string.Create(CultureInfo.InvariantCulture, $"{waiting} was not Ready within {timeoutSeconds} s (KafkaDemo:External:ReadyTimeoutSeconds).")
                    + (lastWord is null ? "" : $" Its last condition: {lastWord}"),
                    $"See what Strimzi says: kubectl -n {kafka.Namespace} get {kubectlGet} -o yaml, and the operator's log.");
            }

            string bootstrap;
            if (kafka.BootstrapOverride is { } given)
            {
                bootstrap = given;
                log.LogInformation("{What} is Ready. Bootstrap servers from ConnectionStrings:kafka: {Bootstrap}", what, bootstrap);
            }
            else
            {
                bootstrap = ExternalListener.BootstrapServers(ready, cluster.Settings.Listener, what);
                log.LogInformation("{What} is Ready. Bootstrap servers (from its status): {Bootstrap}", what, bootstrap);
            }

            // Before Kafka counts as running, since the Overseer (which waits for it) starts with this
            // kubeconfig; its Roles name this Kafka (KafkaDemo:External:Namespace/KafkaName).
            await overseer.SetUpAndRenewAsync(api, cluster, log, inCluster);

            await e.PublishRunningAsync(kafka, bootstrap, inCluster, ("Kafka", $"{kafka.Namespace}/{kafka.KafkaName}"));
        }
        catch (OperationCanceledException) when (inCluster.IsCancellationRequested)
        {
            // the cluster left Running (or the AppHost stops)
        }
        catch (Exception ex) when (ex is ClusterSetupException or KubernetesApiException or IOException or FormatException or k8s.Exceptions.KubeConfigException)
        {
            await notifications.FailedAsync(kafka, log, appLog, ex.Message);
        }
    }
}
