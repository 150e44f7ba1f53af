using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Cluster;

/// <summary>
/// Watches the Strimzi Kafka and KafkaNodePool resources (list, then watch from that version, again
/// whenever a watch ends) and tells every <see cref="IClusterChangeListener"/> of each spec change,
/// with what changed and the field manager that made it. Counts the broker pods ready versus desired.
/// Does nothing without a cluster (embedded mode).
/// </summary>
public sealed partial class KafkaResourceWatcher(
    ClusterConnection cluster,
    KafkaClusterState state,
    IEnumerable<IClusterChangeListener> listeners,
    TimeProvider time,
    ILogger<KafkaResourceWatcher> logger) : BackgroundService
{
    private const string Group = "kafka.strimzi.io";
    private const string Version = "v1";
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);

    private readonly IClusterChangeListener[] _listeners = [.. listeners];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (cluster.Client is not { } client)
        {
            return;
        }

        var options = cluster.Options;
        await Task.WhenAll(
            FollowAsync(client, "kafkas", "Kafka", options.KafkaName, SpecDiff.KafkaConfig, KafkaPaths, stoppingToken),
            FollowAsync(client, "kafkanodepools", "KafkaNodePool", options.NodePoolName, Combined, PoolPaths, stoppingToken),
            CountBrokersAsync(client, stoppingToken));

        static IReadOnlyList<SpecChange> Combined(JsonObject? a, JsonObject? b) => SpecDiff.NodePool(a, b);
    }

    private static IEnumerable<IReadOnlyList<string>> KafkaPaths(IEnumerable<SpecChange> changes) =>
        changes.Select(c => (IReadOnlyList<string>)["spec", "kafka", "config", c.Path]);

    private static IEnumerable<IReadOnlyList<string>> PoolPaths(IEnumerable<SpecChange> changes) =>
        changes.Select(c => (IReadOnlyList<string>)["spec", .. c.Path.Split('.')]);

    private async Task FollowAsync(
        IKubernetes client,
        string plural,
        string kind,
        string name,
        Func<JsonObject?, JsonObject?, IReadOnlyList<SpecChange>> diff,
        Func<IEnumerable<SpecChange>, IEnumerable<IReadOnlyList<string>>> paths,
        CancellationToken cancellationToken)
    {
        var ns = cluster.Options.Namespace;
        JsonObject? last = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var current = await GetAsync(client, ns, plural, name, cancellationToken);
                Observe(kind, name, ref last, current, diff, paths);
                var version = (string?)current?["metadata"]?["resourceVersion"];
                await foreach (var (type, raw) in client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                    Group, Version, ns, plural, fieldSelector: $"metadata.name={name}", resourceVersion: version,
                    timeoutSeconds: 300, cancellationToken: cancellationToken))
                {
                    var item = raw is JsonElement element ? JsonObject.Create(element) : JsonSerializer.SerializeToNode(raw) as JsonObject;
                    if (type == WatchEventType.Error)
                    {
                        break; // an expired version: read again
                    }

                    Observe(kind, name, ref last, type == WatchEventType.Deleted ? null : item, diff, paths);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or JsonException or KubernetesException or IOException)
            {
                LogWatchFailed(logger, kind, name, ex.Message);
                await Task.Delay(Retry, time, cancellationToken);
            }
        }
    }

    private void Observe(
        string kind,
        string name,
        ref JsonObject? last,
        JsonObject? current,
        Func<JsonObject?, JsonObject?, IReadOnlyList<SpecChange>> diff,
        Func<IEnumerable<SpecChange>, IEnumerable<IReadOnlyList<string>>> paths)
    {
        if (current is null)
        {
            last = null;
            return;
        }

        if (kind == "Kafka")
        {
            state.SetBrokerConfig(current["spec"]?["kafka"]?["config"] as JsonObject);
        }
        else
        {
            state.SetDesiredBrokers((int?)current["spec"]?["replicas"] ?? 0);
        }

        if (last is not null && (long?)last["metadata"]?["generation"] != (long?)current["metadata"]?["generation"])
        {
            var changes = diff(last, current);
            if (kind == "Kafka")
            {
                changes = [.. changes, .. SpecDiff.KafkaOther(last, current)];
            }

            if (changes.Count > 0)
            {
                var change = new ClusterChange(time.GetUtcNow(), $"{kind} {name}", (long?)current["metadata"]?["generation"] ?? 0,
                    ManagedFields.ManagerOf(current, paths(changes)), changes);
                state.Add(change);
                foreach (var listener in _listeners)
                {
                    listener.OnClusterChange(change);
                }
            }
        }

        last = current;
    }

    private static async Task<JsonObject?> GetAsync(IKubernetes client, string ns, string plural, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(Group, Version, ns, plural, name, cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task CountBrokersAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var options = cluster.Options;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.PodPollSeconds), time);
        do
        {
            try
            {
                var pods = await client.CoreV1.ListNamespacedPodAsync(options.Namespace, labelSelector: options.BrokerPodSelector, cancellationToken: cancellationToken);
                var ready = pods.Items.Count(p => p.Metadata.DeletionTimestamp is null
                    && p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
                state.SetReadyBrokers(ready, time.GetUtcNow());
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or KubernetesException)
            {
                LogPodsFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching {Kind} {Name} failed, retrying: {Message}")]
    private static partial void LogWatchFailed(ILogger logger, string kind, string name, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting the broker pods failed: {Message}")]
    private static partial void LogPodsFailed(ILogger logger, string message);
}
