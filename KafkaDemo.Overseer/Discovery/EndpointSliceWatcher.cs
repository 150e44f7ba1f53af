using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.DeploymentContract.Kubernetes;
using KafkaDemo.Overseer.KubernetesApi;
using KafkaDemo.Overseer.Options;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Discovery;

/// <summary>
/// With <c>Overseer:Discovery:Source=Kubernetes</c>: lists, then watches, the EndpointSlices of the
/// load's headless Services (<see cref="EndpointSliceSet.Selector"/>) and keeps
/// <see cref="DiscoveredInstances"/> up to date, so the fleet follows scale-up, scale-down and pod
/// replacement. A watch that ends (its timeout, a dropped connection) is resumed from the last
/// resourceVersion seen; a version the server no longer has (410 Expired), an error event or a
/// changed kubeconfig starts again from a fresh list. Failures wait a bounded, growing time
/// (<see cref="Retry"/>); the last set found stays meanwhile (the pods are most likely still there).
/// </summary>
public sealed partial class EndpointSliceWatcher(
    ClusterConnection cluster,
    DiscoveredInstances discovered,
    IOptions<OverseerOptions> options,
    TimeProvider time,
    ILogger<EndpointSliceWatcher> logger) : BackgroundService
{
    private static readonly Backoff Retry = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>How long past <see cref="ClusterOptions.WatchSeconds"/> a silent watch is kept (no client timeout applies to a watch).</summary>
    private static readonly TimeSpan WatchGrace = TimeSpan.FromSeconds(30);

    private readonly DiscoveryOptions _options = options.Value.Discovery;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Source != DiscoverySource.Kubernetes)
        {
            return;
        }

        var slices = new Dictionary<string, V1EndpointSlice>(StringComparer.Ordinal);
        string? version = null; // null: list first
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var current = cluster.Current;
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, current?.Replaced ?? CancellationToken.None);
            Exception? broken = null;
            var relist = false;
            try
            {
                var client = current?.Client
                    ?? throw new InvalidOperationException("No Kubernetes connection: Overseer:Cluster:Kubeconfig is not set or cannot be read.");
                if (version is null)
                {
                    var list = await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(
                        _options.Namespace, labelSelector: EndpointSliceSet.Selector, cancellationToken: watch.Token);
                    slices.Clear();
                    foreach (var slice in list.Items)
                    {
                        slices[slice.Metadata.Name] = slice;
                    }

                    version = list.Metadata?.ResourceVersion;
                    Publish(slices);
                }

                failures = 0;
                var watchSeconds = cluster.Options.WatchSeconds;
                watch.CancelAfter(TimeSpan.FromSeconds(watchSeconds) + WatchGrace);

                // KubernetesClient's watch enumerator (Watcher.cs CreateWatchEventEnumerator) hands an
                // ERROR event (a Status, such as 410 Expired) and a line that is not JSON to onError and
                // goes on: an event may then be lost, so the slices are listed again.
                await foreach (var (type, slice) in client.DiscoveryV1.WatchListNamespacedEndpointSliceAsync(
                    _options.Namespace, allowWatchBookmarks: true, labelSelector: EndpointSliceSet.Selector, resourceVersion: version,
                    timeoutSeconds: watchSeconds, onError: ex =>
                    {
                        relist = true;
                        broken ??= Expired(ex) ? null : ex;
                        watch.Cancel();
                    }, cancellationToken: watch.Token))
                {
                    version = slice?.Metadata?.ResourceVersion ?? version;
                    if (type is WatchEventType.Bookmark or WatchEventType.Error || slice?.Metadata?.Name is not { } name)
                    {
                        continue;
                    }

                    if (type == WatchEventType.Deleted)
                    {
                        slices.Remove(name);
                    }
                    else
                    {
                        slices[name] = slice;
                    }

                    Publish(slices);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (broken is null && watch.IsCancellationRequested)
            {
                // A changed kubeconfig (maybe a new cluster, whose versions mean nothing here), an
                // expired version, or a watch silent past its time.
                relist |= current?.Replaced.IsCancellationRequested == true;
            }
            catch (Exception ex) when (broken is null && QuietWatchEnd.Is(ex))
            {
                // The server ended the watch at its timeoutSeconds without an event (not even a bookmark): resume from the version.
            }
            catch (Exception ex) when (Expired(ex))
            {
                relist = true;
            }
            catch (Exception ex)
            {
                // A client timeout, an error status, a refused or dropped connection: resumed from the
                // last version once the wait is over (a fresh list if it has expired by then).
                broken ??= ex;
            }

            if (relist)
            {
                LogRelist(logger, version ?? "none");
                version = null;
            }

            if (broken is not null)
            {
                var wait = Retry.Delay(++failures);
                LogWatchFailed(logger, _options.Namespace, wait.TotalSeconds, broken.Message);
                try
                {
                    await Task.Delay(wait, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>410 Gone: the version is older than the server keeps (as an ERROR event, or as the answer's status).</summary>
    private static bool Expired(Exception ex) =>
        ex is KubernetesException { Status.Code: (int)HttpStatusCode.Gone }
        || ex is HttpOperationException { Response.StatusCode: HttpStatusCode.Gone };

    private void Publish(Dictionary<string, V1EndpointSlice> slices)
    {
        var instances = EndpointSliceSet.Instances(slices.Values);
        discovered.Set(instances);
        LogInstances(logger, instances.Count(i => i.IsProducer), instances.Count(i => !i.IsProducer));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "EndpointSlices: {Producers} producers and {Consumers} consumers ready")]
    private static partial void LogInstances(ILogger logger, int producers, int consumers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listing the load's EndpointSlices afresh (the watch was at version {Version})")]
    private static partial void LogRelist(ILogger logger, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching the EndpointSlices in {Namespace} failed; trying again in {Seconds} s: {Message}")]
    private static partial void LogWatchFailed(ILogger logger, string @namespace, double seconds, string message);
}
