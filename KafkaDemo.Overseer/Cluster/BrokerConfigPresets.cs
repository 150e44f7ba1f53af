using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.Overseer.Cluster;

/// <summary>
/// Baselines to judge the agent by: puts a named set of broker settings (the cluster's modest start,
/// or Kafka's own defaults for the same keys) into the Kafka resource, as the field manager
/// <see cref="FieldManager"/>, and records it on the timeline.
/// </summary>
public sealed class BrokerConfigPresets(ClusterConnection cluster, RunTimeline timeline, TimeProvider time)
{
    public const string FieldManager = "kafkademo-overseer";

    public IReadOnlyList<string> Names => [.. cluster.Options.Presets.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Why no preset can be applied here (no cluster, no presets), or null.</summary>
    public string? Unavailable =>
        cluster.Client is null ? "No Kubernetes cluster is configured: broker config presets exist in k3d mode."
        : Names.Count == 0 ? "No presets are configured (Overseer:Cluster:Presets)."
        : null;

    /// <summary>Why <paramref name="preset"/> is not a preset's name, or null.</summary>
    public string? Problem(string? preset) =>
        preset is not null && cluster.Options.Presets.ContainsKey(preset) ? null : $"The preset is one of: {string.Join(", ", Names)}.";

    /// <summary>
    /// Merge-patches the preset's keys into <c>spec.kafka.config</c>. Whatever the cluster does (an
    /// error status, no answer within the client's timeout, a dropped connection) is thrown, for the
    /// caller to report: see <see cref="IsClusterFailure"/>.
    /// </summary>
    /// <summary>Whether <paramref name="exception"/> came from the cluster (or its absence), not from the caller stopping.</summary>
    public static bool IsClusterFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested;

    public async Task ApplyAsync(string preset, CancellationToken cancellationToken)
    {
        var options = cluster.Options;
        var values = options.Presets[preset];
        var config = new JsonObject();
        foreach (var (key, value) in values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            config[key] = long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(value);
        }

        var patch = new JsonObject { ["spec"] = new JsonObject { ["kafka"] = new JsonObject { ["config"] = config } } };
        var client = cluster.Client ?? throw new InvalidOperationException($"The kubeconfig {options.Kubeconfig} cannot be read now.");
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), "kafka.strimzi.io", "v1", options.Namespace, "kafkas", options.KafkaName,
            fieldManager: FieldManager, cancellationToken: cancellationToken);
        timeline.AddEvent(new TimelineEvent(time.GetUtcNow(), EventKinds.BrokerConfig, $"Broker config reset to the '{preset}' preset",
            new Dictionary<string, object?> { ["preset"] = preset, ["config"] = values }));
    }
}
