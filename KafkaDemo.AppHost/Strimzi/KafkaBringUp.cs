using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.DeploymentContract.Strimzi;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Strimzi;

/// <summary>
/// Installs the Strimzi operator, applies the Kafka cluster and its topics (server-side apply), and
/// follows them with watches until Kafka is Ready, all within KafkaDemo:K3d:ReadyTimeoutSeconds.
/// Returns the external listener's bootstrap servers, as the Kafka resource's status gives them.
/// </summary>
public sealed class KafkaBringUp(KafkaLayout layout, HttpClient http, TimeProvider time)
{
    private static readonly TimeSpan PodPollInterval = TimeSpan.FromSeconds(5);

    private K3dSettings Settings => layout.K3d;

    /// <exception cref="ClusterSetupException">A step failed or timed out; the message names the cause and the fix.</exception>
    public async Task<string> RunAsync(KubernetesApi api, ILogger log, Func<string, Task> state, Action<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(state);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(Settings.ReadyTimeoutSeconds));
        var waiting = "the Strimzi operator";
        string? lastWord = null;
        try
        {
            await state(K3dStates.InstallingStrimzi);
            await InstallOperatorAsync(api, log, w => lastWord = w, deadline.Token);

            await state(K3dStates.ApplyingKafka);
            waiting = "Kafka";
            lastWord = null;
            foreach (var item in KafkaManifests.Render(layout))
            {
                await api.ApplyDuringSetupAsync(item, log, deadline.Token);
            }

            await state(K3dStates.WaitingForKafka);
            var kafka = await WaitForKafkaAsync(api, log, progress, w => lastWord = w, deadline.Token);
            foreach (var topic in layout.Topics.Names)
            {
                waiting = $"topic {topic}";
                lastWord = null;
                await WaitForReadyAsync(api, ApiKinds.KafkaTopic, KafkaManifests.TopicResourceName(topic), log, w => lastWord = w, deadline.Token);
            }

            return BootstrapServers(kafka);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ClusterSetupException(
                string.Create(CultureInfo.InvariantCulture, $"{Capitalized(waiting)} was not Ready within {Settings.ReadyTimeoutSeconds} s (KafkaDemo:K3d:ReadyTimeoutSeconds).")
                + (lastWord is null ? "" : $" Its last condition: {lastWord}"),
                $"See what the operator says: kubectl --kubeconfig {Settings.KubeconfigPath} -n {K3dSettings.Namespace} logs deploy/{OperatorManifest.DeploymentName}, "
                + $"and kubectl --kubeconfig {Settings.KubeconfigPath} -n {K3dSettings.Namespace} get pods. On a slow first start, raise KafkaDemo:K3d:ReadyTimeoutSeconds.");
        }
    }

    /// <summary>Asks Strimzi for a rolling restart of every broker (one at a time, at its next reconciliation).</summary>
    public static async Task RequestRollingRestartAsync(KubernetesApi api, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        var podSet = StrimziNames.PodSetName;
        await api.MergePatchAsync(ApiKinds.StrimziPodSet, K3dSettings.Namespace, podSet,
            new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["strimzi.io/manual-rolling-update"] = "true" } } },
            cancellationToken);
    }

    private async Task InstallOperatorAsync(KubernetesApi api, ILogger log, Action<string> lastWord, CancellationToken cancellationToken)
    {
        var kafkaVersion = (string)KafkaManifests.Files().Single(o => (string?)o["kind"] == "Kafka")["spec"]!["kafka"]!["version"]!;
        var manifest = await OperatorManifest.LoadAsync(Settings, kafkaVersion, http, m => log.LogInformation("{Message}", m), cancellationToken);
        log.LogInformation("Strimzi {Version} operator manifest checked: operator image, Kafka {Kafka} image and the kafka.strimzi.io/v1 CRDs are there.", K3dSettings.StrimziVersion, kafkaVersion);

        await api.ApplyDuringSetupAsync(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = K3dSettings.Namespace },
        }, log, cancellationToken);

        var crds = manifest.Objects.Where(o => (string?)o["kind"] == "CustomResourceDefinition").ToList();
        foreach (var crd in crds)
        {
            await api.ApplyDuringSetupAsync(crd, log, cancellationToken);
        }

        foreach (var crd in crds)
        {
            var name = (string)crd["metadata"]!["name"]!;
            await api.WaitForAsync(ApiKinds.CustomResourceDefinition, null, name,
                c => Condition(c!, "Established") is { } e && (string?)e["status"] == "True", null, cancellationToken);
        }

        log.LogInformation("{Count} Strimzi custom resource definitions are established.", crds.Count);
        foreach (var item in manifest.Objects.Except(crds))
        {
            await api.ApplyDuringSetupAsync(item, log, cancellationToken);
        }

        log.LogInformation("Waiting for the Strimzi operator (Deployment {Namespace}/{Name}) to be available.", K3dSettings.Namespace, OperatorManifest.DeploymentName);
        await api.WaitForAsync(ApiKinds.Deployment, K3dSettings.Namespace, OperatorManifest.DeploymentName,
            d => (int?)d!["status"]?["availableReplicas"] >= 1,
            d =>
            {
                if (d is not null && Condition(d, "Available") is { } available)
                {
                    lastWord(Describe(available));
                }
            },
            cancellationToken);
        log.LogInformation("The Strimzi operator is available.");
    }

    private async Task<JsonObject> WaitForKafkaAsync(
        KubernetesApi api, ILogger log, Action<string>? progress, Action<string> lastWord, CancellationToken cancellationToken)
    {
        var name = StrimziNames.KafkaName;
        log.LogInformation("Waiting for Kafka {Namespace}/{Name} to be Ready ({Brokers} brokers).", K3dSettings.Namespace, name, Settings.Brokers);
        using var stopPods = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var last = new StrongBox<string>("");
        var pods = FollowBrokerPodsAsync(api, log, progress, last, stopPods.Token);
        try
        {
            var kafka = await WaitForReadyAsync(api, ApiKinds.Kafka, name, log, lastWord, cancellationToken);
            await stopPods.CancelAsync();
            await pods;
            await CountBrokerPodsAsync(api, log, progress, last, cancellationToken);
            return kafka;
        }
        finally
        {
            await stopPods.CancelAsync();
            await pods;
        }
    }

    private static Task<JsonObject> WaitForReadyAsync(
        KubernetesApi api, ApiKind kind, string name, ILogger log, Action<string> lastWord, CancellationToken cancellationToken) =>
        WaitForReadyAsync(api, kind, K3dSettings.Namespace, name, log, lastWord, cancellationToken);

    /// <summary>Follows a Strimzi resource until its Ready condition is True for its latest generation, logging every new condition.</summary>
    public static async Task<JsonObject> WaitForReadyAsync(
        KubernetesApi api, ApiKind kind, string ns, string name, ILogger log, Action<string> lastWord, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(lastWord);
        var said = new HashSet<string>(StringComparer.Ordinal);
        return await api.WaitForAsync(kind, ns, name,
            item => Condition(item!, "Ready") is { } ready && (string?)ready["status"] == "True"
                && (long?)item!["status"]?["observedGeneration"] >= (long?)item["metadata"]?["generation"],
            item =>
            {
                foreach (var condition in item?["status"]?["conditions"]?.AsArray().OfType<JsonObject>() ?? [])
                {
                    var text = Describe(condition);
                    lastWord(text);
                    if (said.Add(text))
                    {
                        log.LogInformation("{Kind} {Name}: {Condition}", kind.Plural, name, text);
                    }
                }
            },
            cancellationToken);
    }

    /// <summary>Logs the broker pods ready every few seconds while Kafka is not Ready yet.</summary>
    private async Task FollowBrokerPodsAsync(KubernetesApi api, ILogger log, Action<string>? progress, StrongBox<string> last, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await CountBrokerPodsAsync(api, log, progress, last, cancellationToken);
                await Task.Delay(PodPollInterval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (KubernetesApiException ex)
        {
            log.LogWarning("Could not list the broker pods: {Message}", ex.Message);
        }
    }

    private async Task CountBrokerPodsAsync(KubernetesApi api, ILogger log, Action<string>? progress, StrongBox<string> last, CancellationToken cancellationToken)
    {
        var (pods, _) = await api.ListAsync(ApiKinds.Pod, K3dSettings.Namespace, KafkaManifests.BrokerPodSelector, cancellationToken);
        var ready = pods.Count(p => Condition(p, "Ready") is { } r && (string?)r["status"] == "True");
        var text = string.Create(CultureInfo.InvariantCulture, $"{ready}/{Settings.Brokers} broker pods ready");
        if (text != last.Value)
        {
            log.LogInformation("{Pods}", text);
            progress?.Invoke(text);
            last.Value = text;
        }
    }

    private static string BootstrapServers(JsonObject kafka) => BootstrapServers(kafka, KafkaManifests.ExternalListener);

    /// <summary>The bootstrap servers the Kafka resource's status gives for one listener (status.listeners[].bootstrapServers).</summary>
    /// <exception cref="ClusterSetupException">The status names none for it.</exception>
    public static string BootstrapServers(JsonObject kafka, string listenerName)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        var listener = kafka["status"]?["listeners"]?.AsArray().OfType<JsonObject>()
            .FirstOrDefault(l => (string?)l["name"] == listenerName);
        return (string?)listener?["bootstrapServers"] is { Length: > 0 } servers
            ? servers
            : throw new ClusterSetupException(
                $"Kafka {StrimziNames.KafkaName} is Ready, but its status names no bootstrap servers for the '{listenerName}' listener.",
                "Check the Kafka resource's status.listeners, or use the 'Recreate cluster' command.");
    }

    private static JsonObject? Condition(JsonObject item, string type) =>
        item["status"]?["conditions"]?.AsArray().OfType<JsonObject>().LastOrDefault(c => (string?)c["type"] == type);

    private static string Describe(JsonObject condition)
    {
        var reason = (string?)condition["reason"];
        var message = (string?)condition["message"];
        return $"{(string?)condition["type"]}={(string?)condition["status"]}"
            + (reason is null ? "" : $" ({reason})")
            + (message is null ? "" : $": {message}");
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
