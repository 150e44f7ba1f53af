using System.Text.Json.Nodes;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.Overseer.StrimziWatch;

namespace KafkaDemo.Overseer.BrokerPresets;

/// <summary>
/// What resetting the Kafka resource to a preset changes, computed from the resource as it was
/// read, and the JSON merge patch (RFC 7386) that does exactly that: the preset's keys that differ
/// are set, every other key of <c>spec.kafka.config</c> is removed (null), and so is the
/// <see cref="PauseAnnotation"/>, so that Strimzi acts on the reset at all.
/// </summary>
/// <remarks>
/// A merge patch cannot replace <c>spec.kafka.config</c> as a whole, only remove the keys it names;
/// so the patch also carries the <c>metadata.resourceVersion</c> it was computed from, which the API
/// server takes as a precondition: if anyone changed the resource since it was read (a key added
/// that the patch does not remove), the patch is refused with 409 Conflict instead of leaving that
/// key, and the caller reads the resource again (kube-apiserver: a resourceVersion in the patched
/// object is checked by the registry's optimistic-concurrency update, apiserver
/// pkg/registry/generic/registry/store.go Update, "the object has been modified; please apply your
/// changes to the latest version and try again").
/// </remarks>
/// <param name="Patch">The merge patch.</param>
/// <param name="Set">The preset's keys that change, with their values before and after.</param>
/// <param name="Removed">Keys outside the preset, with the values they had.</param>
/// <param name="PauseRemoved">The pause annotation's value when it was there and is removed, or null.</param>
public sealed record PresetPatch(JsonObject Patch, IReadOnlyList<SpecChange> Set, IReadOnlyList<SpecChange> Removed, string? PauseRemoved)
{
    /// <summary>Strimzi does not reconcile a resource that carries this annotation set to "true": a config change would then do nothing.</summary>
    public const string PauseAnnotation = "strimzi.io/pause-reconciliation";

    /// <summary>Whether the resource is already exactly the preset.</summary>
    public bool ChangesNothing => Set.Count == 0 && Removed.Count == 0 && PauseRemoved is null;

    /// <param name="kafka">The Kafka resource as read (with its resourceVersion).</param>
    /// <param name="preset">The whole broker config to have, by key, as text (<see cref="BrokerConfigValue"/>).</param>
    public static PresetPatch For(JsonObject kafka, IReadOnlyDictionary<string, string> preset)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(preset);
        var current = kafka["spec"]?["kafka"]?["config"] as JsonObject ?? [];
        var config = new JsonObject();
        var set = new List<SpecChange>();
        foreach (var (key, text) in preset.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var value = BrokerConfigValue.Parse(text);
            var before = SpecDiff.Text(current[key]);
            var after = SpecDiff.Text(value);
            if (before != after)
            {
                config[key] = value;
                set.Add(new SpecChange(key, before, after));
            }
        }

        var removed = new List<SpecChange>();
        foreach (var (key, value) in current.Where(p => !preset.ContainsKey(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            config[key] = null;
            removed.Add(new SpecChange(key, SpecDiff.Text(value), null));
        }

        var metadata = new JsonObject();
        if ((string?)kafka["metadata"]?["resourceVersion"] is { } version)
        {
            metadata["resourceVersion"] = version;
        }

        var annotations = kafka["metadata"]?["annotations"] as JsonObject;
        string? pause = null;
        if (annotations?.ContainsKey(PauseAnnotation) == true)
        {
            pause = SpecDiff.Text(annotations[PauseAnnotation]) ?? "";
            metadata["annotations"] = new JsonObject { [PauseAnnotation] = null };
        }

        var patch = new JsonObject { ["metadata"] = metadata };
        if (config.Count > 0)
        {
            patch["spec"] = new JsonObject { ["kafka"] = new JsonObject { ["config"] = config } };
        }

        return new PresetPatch(patch, set, removed, pause);
    }

    /// <summary>
    /// "Broker config reset to the 'modest' preset: set num.io.threads 8→2; removed
    /// log.retention.ms (was 1000); removed the strimzi.io/pause-reconciliation annotation (was true)".
    /// </summary>
    public string Describe(string preset)
    {
        var parts = new List<string>
        {
            Set.Count == 0 ? "set nothing (every key already had the preset's value)" : "set " + string.Join(", ", Set.Select(c => c.ToString())),
            Removed.Count == 0 ? "removed no key" : "removed " + string.Join(", ", Removed.Select(c => $"{c.Path} (was {c.Before})")),
        };
        if (PauseRemoved is not null)
        {
            parts.Add($"removed the {PauseAnnotation} annotation (was {PauseRemoved})");
        }

        return $"Broker config reset to the '{preset}' preset: {string.Join("; ", parts)}";
    }
}
