using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>Who writes through the API, and where admission's warnings and audit annotations go.</summary>
/// <param name="User">The authenticated user.</param>
/// <param name="DryRun">Whether the request is a dry run (admitted or denied all the same).</param>
/// <param name="Request">The recorded request, which receives warnings and audit annotations.</param>
/// <param name="FieldManager">The field manager of the write, for <c>request.options</c>.</param>
internal sealed record AdmissionContext(UserInfo User, bool DryRun, RecordedRequest Request, string? FieldManager);

/// <summary>
/// One admission review, as k8s.io/apiserver pkg/admission Attributes describe it: the operation (CREATE,
/// UPDATE, DELETE, CONNECT), the resource and subresource, the name the request gave (empty for a create
/// with generateName), the namespace, the object after the write (null for DELETE) and before it (null for
/// CREATE).
/// </summary>
internal sealed record AdmissionAttributes(
    string Operation,
    ResourceKind Kind,
    string Subresource,
    string? Namespace,
    string Name,
    JsonObject? Object,
    JsonObject? OldObject,
    AdmissionContext Context);
