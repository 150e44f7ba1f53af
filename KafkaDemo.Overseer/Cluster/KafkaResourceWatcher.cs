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
/// Does nothing without a cluster (embedded mode). Nothing the cluster does stops it: a timeout, a
/// dropped connection, an error status or an answer that is not JSON is logged, and the call is
/// tried again after a bounded, growing wait (<see cref="Retry"/>), with the client of the
/// kubeconfig as it is then (<see cref="ClusterConnection"/> follows a recreated cluster).
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

    /// <summary>Seconds the API server keeps one watch open before ending it (then it is listed and watched again).</summary>
    private const int WatchSeconds = 300;

    /// <summary>After a failure: 1 s, doubling, at most 30 s: a cluster back from a restart is seen within half a minute.</summary>
    private static readonly Backoff Retry = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>
    /// How long past <see cref="WatchSeconds"/> a watch may stay open before the Overseer gives up on
    /// it: a connection that died without closing sends nothing more, and no client timeout applies to
    /// a watch (KubernetesClient cancels HttpClientTimeout when watch=true).
    /// </summary>
    private static readonly TimeSpan WatchGrace = TimeSpan.FromSeconds(30);

    private readonly IClusterChangeListener[] _listeners = [.. listeners];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!cluster.Options.Enabled)
        {
            return;
        }

        var options = cluster.Options;
        await Task.WhenAll(
            FollowAsync("kafkas", "Kafka", options.KafkaName, SpecDiff.KafkaConfig, KafkaPaths, stoppingToken),
            FollowAsync("kafkanodepools", "KafkaNodePool", options.NodePoolName, Combined, PoolPaths, stoppingToken),
            CountBrokersAsync(stoppingToken));

        static IReadOnlyList<SpecChange> Combined(JsonObject? a, JsonObject? b) => SpecDiff.NodePool(a, b);
    }

    private static IEnumerable<IReadOnlyList<string>> KafkaPaths(IEnumerable<SpecChange> changes) =>
        changes.Select(c => (IReadOnlyList<string>)["spec", "kafka", "config", c.Path]);

    private static IEnumerable<IReadOnlyList<string>> PoolPaths(IEnumerable<SpecChange> changes) =>
        changes.Select(c => (IReadOnlyList<string>)["spec", .. c.Path.Split('.')]);

    private async Task FollowAsync(
        string plural,
        string kind,
        string name,
        Func<JsonObject?, JsonObject?, IReadOnlyList<SpecChange>> diff,
        Func<IEnumerable<SpecChange>, IEnumerable<IReadOnlyList<string>>> paths,
        CancellationToken cancellationToken)
    {
        var ns = cluster.Options.Namespace;
        JsonObject? last = null;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            Exception? broken = null;
            var current = cluster.Current;
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, current?.Replaced ?? CancellationToken.None);
            try
            {
                var client = current?.Client ?? throw new InvalidOperationException($"The kubeconfig {cluster.Options.Kubeconfig} could not be read.");
                var found = await GetAsync(client, ns, plural, name, watch.Token);
                Observe(kind, name, ref last, found, diff, paths);
                failures = 0;
                var version = (string?)found?["metadata"]?["resourceVersion"];
                watch.CancelAfter(TimeSpan.FromSeconds(WatchSeconds) + WatchGrace);

                // KubernetesClient's watch enumerator (Watcher.cs CreateWatchEventEnumerator) hands an
                // error event (a Status, such as 410 Expired) and a line that is not JSON to onError and
                // goes on; an event may then be lost, so the watch ends and the resource is read again.
                await foreach (var (type, raw) in client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                    Group, Version, ns, plural, fieldSelector: $"metadata.name={name}", resourceVersion: version,
                    timeoutSeconds: WatchSeconds, onError: ex =>
                    {
                        broken ??= ex;
                        watch.Cancel();
                    }, cancellationToken: watch.Token))
                {
                    if (type == WatchEventType.Error)
                    {
                        break; // an expired version: read again
                    }

                    var item = raw is JsonElement element ? JsonObject.Create(element) : JsonSerializer.SerializeToNode(raw) as JsonObject;
                    Observe(kind, name, ref last, type == WatchEventType.Deleted ? null : item, diff, paths);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (broken is null && watch.IsCancellationRequested)
            {
                continue; // the kubeconfig changed, or the watch outlived its time without a word: open a new one
            }
            catch (Exception ex)
            {
                // A client timeout (OperationCanceledException while ours is live), an error status, a
                // refused or dropped connection, JSON that does not parse, a client disposed because
                // the kubeconfig changed: all transient.
                broken ??= ex;
            }

            if (broken is not null)
            {
                var wait = Retry.Delay(++failures);
                LogWatchFailed(logger, kind, name, wait.TotalSeconds, broken.Message);
                await DelayAsync(wait, cancellationToken);
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

    private async Task CountBrokersAsync(CancellationToken cancellationToken)
    {
        var options = cluster.Options;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var wait = TimeSpan.FromSeconds(options.PodPollSeconds);
            try
            {
                var pods = await cluster.Client!.CoreV1.ListNamespacedPodAsync(options.Namespace, labelSelector: options.BrokerPodSelector, cancellationToken: cancellationToken);
                var ready = pods.Items.Count(p => p.Metadata.DeletionTimestamp is null
                    && p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
                state.SetReadyBrokers(ready, time.GetUtcNow());
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // As in FollowAsync: every failure from the cluster is transient.
                var backoff = Retry.Delay(++failures);
                wait = backoff > wait ? backoff : wait;
                LogPodsFailed(logger, wait.TotalSeconds, ex.Message);
            }

            await DelayAsync(wait, cancellationToken);
        }
    }

    private async Task DelayAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(wait, time, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping: the loop ends
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching {Kind} {Name} failed, retrying in {Seconds} s: {Message}")]
    private static partial void LogWatchFailed(ILogger logger, string kind, string name, double seconds, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting the broker pods failed, retrying in {Seconds} s: {Message}")]
    private static partial void LogPodsFailed(ILogger logger, double seconds, string message);
}
