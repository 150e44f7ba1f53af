using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Placement;

/// <summary>
/// The logs of a Deployment's pods in its resource's console: one following stream per running
/// container start (GET pods/{name}/log?follow=true&amp;container=..., KubernetesClient
/// ReadNamespacedPodLogAsync), each line prefixed with the pod's name. A replacement pod gets its own
/// stream; a restarted container a new one (from its new start).
/// </summary>
public sealed class PodLogStreams(IKubernetes client, ILogger console, string container, ILogger appLog) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Task> _streams = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Starts a stream for each running container start not followed yet.</summary>
    public void Follow(IEnumerable<JsonObject> pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        foreach (var pod in pods)
        {
            var name = (string?)pod["metadata"]?["name"];
            var ns = (string?)pod["metadata"]?["namespace"];
            var status = pod["status"]?["containerStatuses"]?.AsArray().OfType<JsonObject>().FirstOrDefault(c => (string?)c["name"] == container);
            if (name is null || ns is null || status?["state"]?["running"] is not JsonObject running)
            {
                continue;
            }

            var key = $"{name}/{(int?)status["restartCount"] ?? 0}";
            _streams.GetOrAdd(key, _ => StreamAsync(ns, name, (string?)running["startedAt"], _stopping.Token));
        }
    }

    private async Task StreamAsync(string ns, string pod, string? startedAt, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Yield();
            // The current container's log only (previous=false): a restart's stream does not repeat the last one's.
            using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod, ns, container: container, follow: true,
                sinceSeconds: null, timestamps: false, cancellationToken: cancellationToken);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                console.LogInformation("[{Pod}] {Line}", pod, line);
            }

            appLog.LogDebug("The log of {Pod} (started {Started}) ended.", pod, startedAt);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or k8s.Autorest.HttpOperationException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                console.LogWarning("[{Pod}] The log stream ended: {Message}", pod, ex is k8s.Autorest.HttpOperationException http ? $"{(int)http.Response.StatusCode} {http.Response.Content}" : ex.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_streams.Values);
        }
        catch (Exception ex) when (ex is OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }
}
