using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>One server-side apply the fake received: who applied what, and how it was answered.</summary>
/// <param name="Time">When it arrived.</param>
/// <param name="Resource">The resource applied to, in the version of the request.</param>
/// <param name="Namespace">The namespace, or null for a cluster-scoped object.</param>
/// <param name="Name">The object's name.</param>
/// <param name="FieldManager">The <c>fieldManager</c> parameter (empty if missing, which the server refuses).</param>
/// <param name="Force">The <c>force</c> parameter.</param>
/// <param name="ToStatus">Whether it was applied to the <c>/status</c> subresource.</param>
/// <param name="Configuration">The applied configuration as sent (YAML bodies are converted to JSON).</param>
/// <param name="StatusCode">200 (updated), 201 (created) or the error code (409 for a conflict).</param>
public sealed record AppliedObject(
    DateTimeOffset Time,
    ResourceType Resource,
    string? Namespace,
    string Name,
    string FieldManager,
    bool Force,
    bool ToStatus,
    JsonObject Configuration,
    int StatusCode);
