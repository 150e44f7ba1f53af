using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Strimzi;
using KafkaDemo.DeploymentContract.Load;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Placement;

/// <summary>
/// One Deployment of the load, for as long as the AppHost runs: wait for Kafka to be healthy
/// (WaitFor, through <see cref="DependencyGate"/>); build its image (unless that hash tag exists) and
/// import it; create the Secrets from the parameters; apply its objects with the bootstrap servers of
/// Strimzi's internal listener; then follow the Deployment: its state, its pods' logs. When Kafka
/// leaves Running, stop following and wait again (the objects stay in the cluster).
/// </summary>
public sealed class ClusterDeploymentLifecycle(
    DependencyGate gate,
    ImageDelivery images,
    OtlpForwarder telemetry,
    ResourceNotificationService notifications,
    ResourceLoggerService loggers,
    TimeProvider time,
    ILogger<ClusterDeploymentLifecycle> appLog)
{
    /// <summary>Each resource's last pod problem (null: none), which its state shows until it clears.</summary>
    private readonly ConcurrentDictionary<string, string?> _problems = new(StringComparer.Ordinal);

    /// <summary>The internal listener of k3d/kafka's Kafka (kafka.yaml, listener plain), which pods in the cluster use.</summary>
    public const string InternalListener = "plain";

    public const string ApplyingState = "Applying";

    /// <summary>From the resource's InitializeResourceEvent; returns when the AppHost stops.</summary>
    public Task RunAsync(ClusterDeploymentResource resource, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(e);
        // WaitOnResourceUnavailable: the load waits through Kafka's failures.
        return gate.FollowAsync(e, resource.Kafka, "Kafka", withKafka => DeployAndFollowAsync(resource, e.Logger, withKafka), cancellationToken);
    }

    /// <summary>Sets the Deployment's replicas through its scale subresource, within 1 and the resource's maximum.</summary>
    public async Task<ExecuteCommandResult> ScaleAsync(ClusterDeploymentResource resource, Func<int, int> replicas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(replicas);
        var log = loggers.GetLogger(resource);
        var name = resource.Spec.Deployment;
        try
        {
            using var api = resource.Cluster.Connect();
            var scale = await api.Client.AppsV1.ReadNamespacedDeploymentScaleAsync(name, LoadDeployment.Namespace, cancellationToken: cancellationToken);
            var current = scale.Spec?.Replicas ?? 0;
            var wanted = replicas(current);
            if (resource.Spec.ReplicasProblem(wanted) is { } problem)
            {
                return CommandResults.Failure(string.Create(CultureInfo.InvariantCulture, $"{name} stays at {current}: {problem}"));
            }

            // The scale subresource (autoscaling/v1 Scale): only spec.replicas changes, and it becomes this
            // write's field, so the next apply of the Deployment leaves it as it is (LoadManifests.KeepLiveReplicas).
            var patch = new V1Patch($"{{\"spec\":{{\"replicas\":{wanted.ToString(CultureInfo.InvariantCulture)}}}}}", V1Patch.PatchType.MergePatch);
            await api.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(patch, name, LoadDeployment.Namespace, fieldManager: KubernetesApi.FieldManager, cancellationToken: cancellationToken);
            log.LogInformation("Scaled {Deployment} from {From} to {To} replicas.", name, current, wanted);
            return CommandResults.Success();
        }
        catch (Exception ex) when (ex is k8s.Autorest.HttpOperationException or HttpRequestException or k8s.Exceptions.KubeConfigException or IOException)
        {
            var message = ex is k8s.Autorest.HttpOperationException http ? $"{(int)http.Response.StatusCode} {http.Response.Content}" : ex.Message;
            log.LogError("Scaling {Deployment} failed: {Message}", name, message);
            return CommandResults.Failure(message);
        }
    }

    /// <summary>
    /// Asks for the replica count in the dashboard (Aspire's interaction service), then sets it as
    /// <see cref="ScaleAsync"/> does, with the same checks. Without the dashboard there is no one to ask:
    /// it says so.
    /// </summary>
    public async Task<ExecuteCommandResult> ScaleToAsync(ClusterDeploymentResource resource, IInteractionService interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(interaction);
        var spec = resource.Spec;
        if (!interaction.IsAvailable)
        {
            return CommandResults.Failure(string.Create(CultureInfo.InvariantCulture,
                $"Scale asks for the number of {spec.Deployment} pods in the dashboard, and there is none here: use scale-up or scale-down, or 'kubectl -n {LoadDeployment.Namespace} scale deployment {spec.Deployment} --replicas=N' (1 to {spec.MaxReplicas})."));
        }

        var input = new InteractionInput
        {
            Name = ReplicasInput,
            Label = "Replicas",
            InputType = InputType.Number,
            Required = true,
            Placeholder = string.Create(CultureInfo.InvariantCulture, $"1 to {spec.MaxReplicas}"),
        };
        var answer = await interaction.PromptInputAsync(
            $"Scale {spec.Deployment}",
            string.Create(CultureInfo.InvariantCulture, $"How many {spec.Deployment} pods? From 1 to {spec.MaxReplicas}."),
            input,
            new InputsDialogInteractionOptions
            {
                ValidationCallback = context =>
                {
                    if (ReplicasAnswerProblem(spec, context.Inputs[ReplicasInput].Value) is { } problem)
                    {
                        context.AddValidationError(context.Inputs[ReplicasInput], problem);
                    }

                    return Task.CompletedTask;
                },
            },
            cancellationToken);
        if (answer.Canceled)
        {
            return CommandResults.Canceled();
        }

        if (!int.TryParse(answer.Data?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var wanted))
        {
            return CommandResults.Failure($"{spec.Deployment} stays as it is: '{answer.Data?.Value}' is not a whole number of pods.");
        }

        return await ScaleAsync(resource, _ => wanted, cancellationToken);
    }

    /// <summary>The name of the scale command's one input.</summary>
    public const string ReplicasInput = "replicas";

    /// <summary>What is wrong with a typed answer to the scale command (null: nothing): a whole number within <see cref="ClusterDeploymentSpec.ReplicasProblem"/>'s bounds.</summary>
    public static string? ReplicasAnswerProblem(ClusterDeploymentSpec spec, string? answer)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return int.TryParse(answer, NumberStyles.Integer, CultureInfo.InvariantCulture, out var replicas)
            ? spec.ReplicasProblem(replicas)
            : $"'{answer}' is not a whole number of pods.";
    }

    private async Task DeployAndFollowAsync(ClusterDeploymentResource resource, ILogger log, CancellationToken withKafka)
    {
        try
        {
            using var api = resource.Cluster.Connect();
            var spec = resource.Spec;
            var target = resource.Target;
            var image = ServiceImages.For(spec.RepositoryRoot, spec.Project, spec.Repository);
            var reference = await images.DeliverAsync(image, target.Images, log, s => notifications.SetAsync(resource, s), withKafka);

            await notifications.SetAsync(resource, ApplyingState);
            var kafka = await api.GetAsync(ApiKinds.Kafka, target.Kafka.Namespace, target.Kafka.Name, withKafka)
                ?? throw new ClusterSetupException($"Kafka {target.Kafka} is gone.",
                    target.TelemetryNetworkOf is null ? "Check 'kubectl get kafka -n " + target.Kafka.Namespace + "' in the cluster." : "Use the 'Recreate cluster' command.");
            var bootstrap = KafkaBringUp.BootstrapServers(kafka, InternalListener);
            var otlp = await RouteTelemetryAsync(resource, log, withKafka);
            var objects = LoadManifests.Render(spec, reference, bootstrap, otlp, target.ImagePullSecret);

            // The namespace first: the Secrets live in it, and the pods read them at start.
            foreach (var item in objects.Where(o => (string?)o["kind"] == "Namespace"))
            {
                await api.ApplyDuringSetupAsync(item, log, withKafka);
            }

            await ApplySecretAsync(api, LoadDeployment.HmacSecretName, LoadDeployment.HmacSecretKey, resource.HmacSecret, log, withKafka);
            await ApplySecretAsync(api, LoadDeployment.ControlSecretName, LoadDeployment.ControlSecretKey, resource.ControlToken, log, withKafka);
            if (otlp?.ApiKeyHeader is { } header)
            {
                await api.ApplyDuringSetupAsync(LoadManifests.Secret(LoadManifests.OtlpSecretName, LoadManifests.OtlpSecretKey, header), log, withKafka);
            }

            if (target.ImagePullSecret is { } pullSecret)
            {
                await ImagePullSecretCheck.RequireAsync(api, pullSecret, target.Images, withKafka);
            }

            foreach (var item in objects.Where(o => (string?)o["kind"] != "Namespace"))
            {
                if ((string?)item["kind"] == "Deployment")
                {
                    // Applied again (Kafka ran again, or the AppHost restarted): the scaled count stands, even one scaled meanwhile.
                    await api.ApplyKeepingScaleAsync(item, log, withKafka);
                }
                else
                {
                    await api.ApplyDuringSetupAsync(item, log, withKafka);
                }
            }

            log.LogInformation("{Deployment} runs {Image} with bootstrap servers {Bootstrap} (Strimzi's '{Listener}' listener).", spec.Deployment, reference, bootstrap, InternalListener);
            await notifications.PublishUpdateAsync(resource, s => s with
            {
                Properties = [.. s.Properties.Where(p => p.Name is not ("Image" or "Bootstrap servers")), new("Image", reference), new("Bootstrap servers", bootstrap)],
            });
            await FollowAsync(resource, api, log, withKafka);
        }
        catch (OperationCanceledException) when (withKafka.IsCancellationRequested)
        {
            // Kafka left Running (or the AppHost stops)
        }
        catch (Exception ex) when (ex is ClusterSetupException or KubernetesApiException or IOException or FormatException or k8s.Exceptions.KubeConfigException)
        {
            await notifications.FailedAsync(resource, log, appLog, ex.Message);
        }
    }

    /// <summary>
    /// The pods' OTLP route: through the forwarder on the k3d network's gateway; in an existing cluster
    /// there is no network the AppHost can listen on for the pods, so none, said once per resource.
    /// </summary>
    private async Task<OtlpRoute?> RouteTelemetryAsync(ClusterDeploymentResource resource, ILogger log, CancellationToken cancellationToken)
    {
        if (resource.Target.TelemetryNetworkOf is { } k3dCluster)
        {
            return await telemetry.RouteAsync(k3dCluster, log, cancellationToken);
        }

        if (_saidNoTelemetry.TryAdd(resource.Name, 0))
        {
            log.LogWarning("The pods send no telemetry: in an existing cluster there is no network the AppHost can listen on for them, so the dashboard shows their logs (from the pods) but not their traces and metrics.");
        }

        return null;
    }

    /// <summary>The resources that said they send no telemetry.</summary>
    private readonly ConcurrentDictionary<string, byte> _saidNoTelemetry = new(StringComparer.Ordinal);

    private static async Task ApplySecretAsync(KubernetesApi api, string name, string key, ParameterResource parameter, ILogger log, CancellationToken cancellationToken)
    {
        var value = await parameter.GetValueAsync(cancellationToken);
        if (string.IsNullOrEmpty(value))
        {
            throw new ClusterSetupException($"The parameter {parameter.Name} has no value, so the Secret {LoadDeployment.Namespace}/{name} cannot be made.",
                $"Set it: dotnet user-secrets set Parameters:{parameter.Name} <value> --project KafkaDemo.AppHost.");
        }

        // Server-side apply, straight from the parameter: never written to a file.
        await api.ApplyDuringSetupAsync(LoadManifests.Secret(name, key, value), log, cancellationToken);
    }

    /// <summary>
    /// Follows the Deployment (its state) and its pods (their logs) until <paramref name="withKafka"/> ends.
    /// When following fails (the API server refused or dropped the watch or the pod list), the resource shows
    /// <see cref="WatchLostState"/> and it reads and watches again after <see cref="FollowBackoff"/>, so its state
    /// comes back to Running by itself once the API answers and the Deployment is available.
    /// </summary>
    private async Task FollowAsync(ClusterDeploymentResource resource, KubernetesApi api, ILogger log, CancellationToken withKafka)
    {
        var name = resource.Spec.Deployment;
        var logs = new PodLogStreams(api.Client, loggers.GetLogger(resource), name, appLog);
        var failures = 0;
        try
        {
            while (true)
            {
                var started = time.GetTimestamp();
                try
                {
                    await FollowOnceAsync(resource, api, logs, log, withKafka);
                }
                catch (Exception ex) when (!withKafka.IsCancellationRequested
                    && ex is KubernetesApiException or k8s.Autorest.HttpOperationException or HttpRequestException or IOException or OperationCanceledException)
                {
                    // A cycle that lasted was a recovery: the backoff starts again from its first step.
                    failures = time.GetElapsedTime(started) >= FollowBackoff.Max ? 1 : failures + 1;
                    var delay = FollowBackoff.Delay(failures);
                    var message = ex is k8s.Autorest.HttpOperationException http ? $"{(int)http.Response.StatusCode} {http.Response.Content}" : ex.Message;
                    log.LogWarning("Following {Deployment} failed: {Message}. Reading and watching it again in {Seconds} s.", name, message, delay.TotalSeconds);
                    await notifications.PublishUpdateAsync(resource, s => s with { State = new ResourceStateSnapshot(WatchLostState, KnownResourceStateStyles.Warn) });
                    await Task.Delay(delay, time, withKafka);
                }
            }
        }
        finally
        {
            await logs.DisposeAsync();
        }
    }

    /// <summary>The state while the Deployment cannot be followed, until it is read again.</summary>
    public const string WatchLostState = "Watch lost";

    /// <summary>One read-and-watch of the Deployment beside the pods' polling; ends only by failing (or with Kafka).</summary>
    private async Task FollowOnceAsync(ClusterDeploymentResource resource, KubernetesApi api, PodLogStreams logs, ILogger log, CancellationToken withKafka)
    {
        // One ends only by failing (or with Kafka): then the other stops too, and the failure is the caller's.
        using var both = CancellationTokenSource.CreateLinkedTokenSource(withKafka);
        var watching = api.WaitForAsync(ApiKinds.Deployment, LoadDeployment.Namespace, resource.Spec.Deployment, _ => false,
            deployment => _ = PublishAsync(resource, deployment), both.Token);
        var pods = FollowPodsAsync(resource, api, logs, log, both.Token);
        var first = await Task.WhenAny(watching, pods);
        await both.CancelAsync();
        // The other one ends with the cancellation; the first one's failure (or Kafka's end) is what counts.
        await Task.WhenAll(watching, pods).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await first;
    }

    /// <summary>Every 2 s: the Deployment's pods, for their logs (one stream each) and the cause of a pod that cannot start.</summary>
    private async Task FollowPodsAsync(ClusterDeploymentResource resource, KubernetesApi api, PodLogStreams logs, ILogger log, CancellationToken withKafka)
    {
        string? lastProblem = null;
        while (true)
        {
            var (pods, _) = await api.ListAsync(ApiKinds.Pod, LoadDeployment.Namespace, LoadDeployment.PodSelector(resource.Spec.Deployment), withKafka);
            logs.Follow(pods);
            var problem = DeploymentState.PodProblem(pods);
            if (problem != lastProblem)
            {
                lastProblem = problem;
                if (problem is not null)
                {
                    log.LogError("{Problem}", problem);
                }

                _problems[resource.Name] = problem;
                var current = await api.GetAsync(ApiKinds.Deployment, LoadDeployment.Namespace, resource.Spec.Deployment, withKafka);
                await PublishAsync(resource, current);
            }

            await Task.Delay(TimeSpan.FromSeconds(2), time, withKafka);
        }
    }

    private Task PublishAsync(ClusterDeploymentResource resource, JsonObject? deployment)
    {
        var state = DeploymentState.Of(deployment, _problems.GetValueOrDefault(resource.Name));
        return notifications.PublishUpdateAsync(resource, s => s with
        {
            State = new ResourceStateSnapshot(state.Text, state.Style),
            StartTimeStamp = state.Text == KnownResourceStates.Running && !s.IsRunning() ? DateTime.UtcNow : s.StartTimeStamp,
            Properties = [.. s.Properties.Where(p => p.Name != "Ready"), new("Ready", state.Ready)],
        });
    }
}
