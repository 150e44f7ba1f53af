using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.Overseer.KubernetesApi;
using KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.Overseer.BrokerPresets;

/// <summary>
/// Baselines to judge the agent by: makes the Kafka resource's whole <c>spec.kafka.config</c> one
/// of the named presets (the cluster's modest start, or that with Kafka's own defaults for the
/// tuning keys), removing every key the agent (or anyone) added and any
/// <c>strimzi.io/pause-reconciliation</c> annotation, as the field manager <see cref="FieldManager"/>;
/// and records what it set and removed on the timeline.
/// </summary>
public sealed partial class BrokerConfigPresets(ClusterConnection cluster, RunTimeline timeline, TimeProvider time, ILogger<BrokerConfigPresets> logger)
{
    public const string FieldManager = "kafkademo-overseer";

    /// <summary>
    /// Reads and patches at most this many times when someone else changes the resource in between
    /// (each time a 409 Conflict): more means it changes faster than a reset can land.
    /// </summary>
    public const int MaxAttempts = 5;

    public IReadOnlyList<string> Names => [.. cluster.Options.Presets.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Why no preset can be applied here (no cluster, no presets), or null.</summary>
    public string? Unavailable =>
        cluster.Client is null ? "No Kubernetes cluster is configured: broker config presets exist in k3d mode."
        : Names.Count == 0 ? "No presets are configured (Overseer:Cluster:Presets)."
        : null;

    /// <summary>Why <paramref name="preset"/> is not a preset's name, or null.</summary>
    public string? Problem(string? preset) =>
        preset is not null && cluster.Options.Presets.ContainsKey(preset) ? null : $"The preset is one of: {string.Join(", ", Names)}.";

    /// <summary>Whether <paramref name="exception"/> came from the cluster (or its absence), not from the caller stopping.</summary>
    public static bool IsClusterFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested;

    /// <summary>
    /// Reads the Kafka resource, merge-patches it to the preset (<see cref="PresetPatch"/>: with the
    /// resourceVersion read as a precondition), and reads it again after a 409 Conflict, up to
    /// <see cref="MaxAttempts"/> times. Whatever else the cluster does (an error status, no answer
    /// within the client's timeout, a dropped connection) is thrown, for the caller to report: see
    /// <see cref="IsClusterFailure"/>.
    /// </summary>
    /// <returns>What was set and removed.</returns>
    public async Task<PresetPatch> ApplyAsync(string preset, CancellationToken cancellationToken)
    {
        var options = cluster.Options;
        var values = options.Presets[preset];
        for (var attempt = 1; ; attempt++)
        {
            var client = cluster.Client ?? throw new InvalidOperationException($"{options.Source} cannot be read now.");
            var kafka = await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(
                "kafka.strimzi.io", "v1", options.Namespace, "kafkas", options.KafkaName, cancellationToken);
            var patch = PresetPatch.For(kafka, values);
            if (!patch.ChangesNothing)
            {
                try
                {
                    await client.CustomObjects.PatchNamespacedCustomObjectAsync(
                        new V1Patch(patch.Patch.ToJsonString(), V1Patch.PatchType.MergePatch), "kafka.strimzi.io", "v1", options.Namespace, "kafkas", options.KafkaName,
                        fieldManager: FieldManager, cancellationToken: cancellationToken);
                }
                catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    if (attempt >= MaxAttempts)
                    {
                        throw new InvalidOperationException(
                            $"The Kafka resource {options.Namespace}/{options.KafkaName} changed under each of {MaxAttempts} attempts to reset it; try again.", ex);
                    }

                    LogConflict(logger, preset, attempt);
                    continue;
                }
            }

            timeline.AddEvent(new TimelineEvent(time.GetUtcNow(), EventKinds.BrokerConfig, patch.Describe(preset), new Dictionary<string, object?>
            {
                ["preset"] = preset,
                ["config"] = values,
                ["set"] = patch.Set.Select(c => new Dictionary<string, object?> { ["setting"] = c.Path, ["before"] = c.Before, ["after"] = c.After }).ToList(),
                ["removed"] = patch.Removed.Select(c => new Dictionary<string, object?> { ["setting"] = c.Path, ["before"] = c.Before }).ToList(),
                ["pauseAnnotationRemoved"] = patch.PauseRemoved is not null,
                ["attempts"] = attempt,
            }));
            return patch;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resetting the broker config to '{Preset}': the Kafka resource changed since it was read (attempt {Attempt}); reading it again")]
    private static partial void LogConflict(ILogger logger, string preset, int attempt);
}
