using System.Text.Json.Nodes;
using k8s;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// One committed change, as watches replay it: the object after the change (for a deletion, its last
/// state with the deletion's resourceVersion) and, for a modification, the object before it.
/// Kept as JSON text, so any number of watches can read it at once; each gets its own parsed copy.
/// </summary>
internal sealed record StoredEvent(long ResourceVersion, WatchEventType Type, ObjectKey Key, string ObjectJson, string? PreviousJson, WriteCause Cause)
{
    public JsonObject ParseObject() => JsonNode.Parse(ObjectJson)!.AsObject();

    public JsonObject? ParsePrevious() => PreviousJson is null ? null : JsonNode.Parse(PreviousJson)!.AsObject();
}

/// <summary>What made a change: the verb ("create", "update", "patch", "apply", "delete"...), the field manager, and whether it came through the HTTP API.</summary>
internal sealed record WriteCause(string Verb, string? FieldManager, bool ThroughApi);
