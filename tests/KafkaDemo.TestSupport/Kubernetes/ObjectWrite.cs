using System.Text.Json.Nodes;
using k8s;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>A committed change to an object, as write hooks see it.</summary>
/// <param name="Type">Added, Modified or Deleted.</param>
/// <param name="Resource">The object's resource, in the version it was last written through.</param>
/// <param name="Namespace">Its namespace, or null for a cluster-scoped object.</param>
/// <param name="Name">Its name.</param>
/// <param name="Item">The object after the change (for a deletion, its last state).</param>
/// <param name="Previous">The object before a modification.</param>
/// <param name="Verb">"create", "update", "update-status", "patch", "patch-status", "apply", "apply-status" or "delete".</param>
/// <param name="FieldManager">The field manager that made it, where there was one.</param>
/// <param name="ThroughApi">True for HTTP requests, false for the fake's direct access and its own controllers.</param>
/// <param name="ResourceVersion">The resourceVersion the change was committed at.</param>
public sealed record ObjectWrite(
    WatchEventType Type,
    ResourceType Resource,
    string? Namespace,
    string Name,
    JsonObject Item,
    JsonObject? Previous,
    string Verb,
    string? FieldManager,
    bool ThroughApi,
    long ResourceVersion)
{
    /// <summary>Whether the object is of a resource (any version).</summary>
    public bool IsOf(ResourceType type) => Resource.Group == type.Group && Resource.Plural == type.Plural;

    /// <summary>The object's <c>metadata.generation</c>, if it has one.</summary>
    public long? Generation => Item["metadata"]?["generation"]?.GetValue<long>();

    /// <summary>Whether the change is a creation or touched more than metadata and status (its generation moved).</summary>
    public bool SpecChanged => Type == WatchEventType.Added
        || (Type == WatchEventType.Modified && Generation != Previous?["metadata"]?["generation"]?.GetValue<long>());
}
