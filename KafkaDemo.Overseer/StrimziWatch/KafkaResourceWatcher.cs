using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using KafkaDemo.DeploymentContract.Kubernetes;
using KafkaDemo.Overseer.KubernetesApi;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.StrimziWatch;

/// <summary>
/// Watches the Strimzi Kafka and KafkaNodePool resources and every KafkaTopic in the namespace
/// (read, then watch from that version, again whenever a watch ends) and tells every
/// <see cref="IClusterChangeListener"/> of each change anyone makes: to the spec, to the metadata
/// (labels, annotations, ownerReferences, finalizers, a deletion asked for: <see cref="MetadataDiff"/>
/// says what is left out and why), a resource created or deleted; with what changed and the field
/// manager that made it. Every version the watch sees is compared with the last, not only those
/// with a new <c>generation</c>: metadata changes do not bump it. Counts the broker pods ready
/// versus desired. Does nothing without a cluster (embedded mode). Nothing the cluster does stops
/// it: a timeout, a dropped connection, an error status or an answer that is not JSON is logged,
/// and the call is tried again after a bounded, growing wait (<see cref="Retry"/>), with the client
/// of the kubeconfig as it is then (<see cref="ClusterConnection"/> follows a recreated cluster).
/// </summary>
public sealed partial class KafkaResourceWatcher(
    ClusterConnection cluster,
    KafkaResourceState state,
    IEnumerable<IClusterChangeListener> listeners,
    TimeProvider time,
    ILogger<KafkaResourceWatcher> logger) : BackgroundService
{
    private const string Group = "kafka.strimzi.io";
    private const string Version = "v1";

    /// <summary>After a failure: 1 s, doubling, at most 30 s: a cluster back from a restart is seen within half a minute.</summary>
    private static readonly Backoff Retry = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>
    /// How long past <see cref="ClusterOptions.WatchSeconds"/> a watch may stay open before the Overseer gives up on
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
            FollowAsync(new Followed("kafkas", "Kafka", options.KafkaName), stoppingToken),
            FollowAsync(new Followed("kafkanodepools", "KafkaNodePool", options.NodePoolName), stoppingToken),
            FollowAsync(new Followed("kafkatopics", "KafkaTopic", Name: null), stoppingToken),
            CountBrokersAsync(stoppingToken));
    }

    /// <summary>What one loop follows: one resource by name, or (without a name) every one of the kind in the namespace.</summary>
    private sealed record Followed(string Plural, string Kind, string? Name)
    {
        public string Title => Name is null ? $"every {Kind}" : $"{Kind} {Name}";
    }

    private async Task FollowAsync(Followed followed, CancellationToken cancellationToken)
    {
        var ns = cluster.Options.Namespace;

        // The last version seen of each object, by name; the first read only fills it (the state
        // at start is no change), every later read and every watch event is compared with it.
        var known = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var seeded = false;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            Exception? broken = null;
            var current = cluster.Current;
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, current?.Replaced ?? CancellationToken.None);
            try
            {
                var client = current?.Client ?? throw new InvalidOperationException($"{cluster.Options.Source} could not be read.");
                var (items, version) = await ReadAsync(client, ns, followed, watch.Token);
                Reconcile(followed, known, items, report: seeded);
                seeded = true;
                failures = 0;
                var watchSeconds = cluster.Options.WatchSeconds;
                watch.CancelAfter(TimeSpan.FromSeconds(watchSeconds) + WatchGrace);

                // KubernetesClient's watch enumerator (Watcher.cs CreateWatchEventEnumerator) hands an
                // error event (a Status, such as 410 Expired) and a line that is not JSON to onError and
                // goes on; an event may then be lost, so the watch ends and the resources are read again.
                await foreach (var (type, raw) in client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                    Group, Version, ns, followed.Plural, fieldSelector: followed.Name is { } name ? $"metadata.name={name}" : null, resourceVersion: version,
                    timeoutSeconds: watchSeconds, onError: ex =>
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
                    if ((string?)item?["metadata"]?["name"] is { } itemName)
                    {
                        Observe(followed, known, itemName, type == WatchEventType.Deleted ? null : item, report: true);
                    }
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
            catch (Exception ex) when (broken is null && QuietWatchEnd.Is(ex))
            {
                continue; // the server ended the watch at its timeoutSeconds without an event: nothing changed
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
                LogWatchFailed(logger, followed.Title, wait.TotalSeconds, broken.Message);
                await DelayAsync(wait, cancellationToken);
            }
        }
    }

    /// <summary>The objects as they are now, and the version to watch from.</summary>
    private static async Task<(IReadOnlyList<JsonObject> Items, string? Version)> ReadAsync(IKubernetes client, string ns, Followed followed, CancellationToken cancellationToken)
    {
        if (followed.Name is { } name)
        {
            var found = await GetAsync(client, ns, followed.Plural, name, cancellationToken);
            return found is null ? ([], null) : ([found], (string?)found["metadata"]?["resourceVersion"]);
        }

        var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>(Group, Version, ns, followed.Plural, cancellationToken: cancellationToken);
        var items = (list?["items"] as JsonArray ?? []).OfType<JsonObject>().Select(i => i.DeepClone().AsObject()).ToList();
        return (items, (string?)list?["metadata"]?["resourceVersion"]);
    }

    /// <summary>A fresh read: what it holds is compared with what was known, and what it lacks is gone.</summary>
    private void Reconcile(Followed followed, Dictionary<string, JsonObject> known, IReadOnlyList<JsonObject> items, bool report)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if ((string?)item["metadata"]?["name"] is { } name && (followed.Name is null || name == followed.Name))
            {
                seen.Add(name);
                Observe(followed, known, name, item, report);
            }
        }

        foreach (var gone in known.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            Observe(followed, known, gone, null, report);
        }
    }

    private void Observe(Followed followed, Dictionary<string, JsonObject> known, string name, JsonObject? current, bool report)
    {
        known.TryGetValue(name, out var previous);
        if (current is null)
        {
            if (known.Remove(name) && report)
            {
                Report(new ClusterChange(time.GetUtcNow(), $"{followed.Kind} {name}", Generation(previous), "unknown", [], ClusterChangeKind.Deleted));
            }

            return;
        }

        known[name] = current;
        if (followed.Kind == "Kafka")
        {
            state.SetBrokerConfig(current["spec"]?["kafka"]?["config"] as JsonObject);
        }
        else if (followed.Kind == "KafkaNodePool")
        {
            state.SetDesiredBrokers((int?)current["spec"]?["replicas"] ?? 0);
        }

        if (!report)
        {
            return;
        }

        var resource = $"{followed.Kind} {name}";
        if (previous is null || Uid(previous) != Uid(current))
        {
            // New, or deleted and made again between two reads (a new uid): its spec is what it was made with.
            var spec = SpecDiff.SpecOf(followed.Kind, null, current);
            Report(new ClusterChange(time.GetUtcNow(), resource, Generation(current), ManagedFields.ManagerOf(current, [["spec"]]),
                [.. spec.Select(c => c.Change)], ClusterChangeKind.Created));
            return;
        }

        var changes = SpecDiff.Of(followed.Kind, previous, current);
        if (changes.Count > 0)
        {
            var kind = changes.Any(c => c.Field[0] == "spec") ? ClusterChangeKind.Spec : ClusterChangeKind.Metadata;
            Report(new ClusterChange(time.GetUtcNow(), resource, Generation(current), ManagedFields.ManagerOf(current, changes.Select(c => c.Field)),
                [.. changes.Select(c => c.Change)], kind));
        }
    }

    private void Report(ClusterChange change)
    {
        state.Add(change);
        foreach (var listener in _listeners)
        {
            listener.OnClusterChange(change);
        }
    }

    private static long Generation(JsonObject? item) => (long?)item?["metadata"]?["generation"] ?? 0;

    private static string? Uid(JsonObject item) => (string?)item["metadata"]?["uid"];

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching {What} failed, retrying in {Seconds} s: {Message}")]
    private static partial void LogWatchFailed(ILogger logger, string what, double seconds, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting the broker pods failed, retrying in {Seconds} s: {Message}")]
    private static partial void LogPodsFailed(ILogger logger, double seconds, string message);
}
