using System.Text.Json.Nodes;

namespace KafkaDemo.Overseer.StrimziWatch;

/// <summary>
/// What changed in the metadata a user (or the agent) sets on a resource: labels and annotations by
/// key, ownerReferences and finalizers as a whole, and a deletion that was asked for. None of these
/// bump <c>metadata.generation</c>, so they are compared on every version the watch sees.
/// </summary>
/// <remarks>
/// Everything else in metadata is left out, because it changes without anyone changing the
/// resource:
/// <list type="bullet">
/// <item><c>resourceVersion</c> changes on every write, including the status writes Strimzi's
/// operators make through the <c>/status</c> subresource after each reconciliation (those change
/// only <c>status</c>, which is never compared);</item>
/// <item><c>managedFields</c> change with every write (a new <c>time</c>, a status entry); they are
/// read only to name who made a change (<see cref="ManagedFields"/>);</item>
/// <item><c>generation</c>, <c>uid</c>, <c>creationTimestamp</c>, <c>selfLink</c> are the API
/// server's bookkeeping: generation follows the spec, which is compared itself;</item>
/// <item>the annotation <c>kubectl.kubernetes.io/last-applied-configuration</c>: client-side
/// <c>kubectl apply</c> rewrites it with a copy of the whole object it applied, alongside the change
/// it made, which is reported from the object itself;</item>
/// <item>the finalizer <c>strimzi.io/topic-operator</c>: the Topic Operator adds it to every
/// KafkaTopic it manages and removes it once it deleted the topic in Kafka (Strimzi
/// topic-operator KubernetesHandler.addFinalizer / removeFinalizer, FINALIZER_STRIMZI_IO_TO); it is
/// Strimzi's bookkeeping, and the deletion that makes it go is reported (deletionTimestamp, then the
/// resource deleted).</item>
/// </list>
/// </remarks>
public static class MetadataDiff
{
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";
    public const string TopicOperatorFinalizer = "strimzi.io/topic-operator";

    public static IReadOnlyList<FieldChange> Of(JsonObject? before, JsonObject? after)
    {
        var a = before?["metadata"] as JsonObject;
        var b = after?["metadata"] as JsonObject;
        var changes = new List<FieldChange>();
        foreach (var map in new[] { "labels", "annotations" })
        {
            changes.AddRange(SpecDiff.Leaves(Map(a, map), Map(b, map), ["metadata", map], $"metadata.{map}", recurse: false));
        }

        foreach (var whole in new[] { "ownerReferences", "finalizers", "deletionTimestamp" })
        {
            var x = SpecDiff.Text(Whole(a, whole));
            var y = SpecDiff.Text(Whole(b, whole));
            if (x != y)
            {
                changes.Add(new FieldChange(["metadata", whole], new SpecChange($"metadata.{whole}", x, y)));
            }
        }

        return changes;
    }

    private static JsonObject? Map(JsonObject? metadata, string name)
    {
        if (metadata?[name] is not JsonObject map)
        {
            return null;
        }

        var copy = map.DeepClone().AsObject();
        copy.Remove(LastAppliedAnnotation);
        return copy;
    }

    /// <summary>The field, with the Topic Operator's finalizer left out of <c>finalizers</c>; null when empty.</summary>
    private static JsonNode? Whole(JsonObject? metadata, string name)
    {
        var node = metadata?[name];
        if (name == "finalizers" && node is JsonArray list)
        {
            var kept = list.Where(f => (string?)f != TopicOperatorFinalizer).Select(f => f?.DeepClone()).ToArray();
            return kept.Length == 0 ? null : new JsonArray(kept);
        }

        return node is JsonArray { Count: 0 } ? null : node;
    }
}
