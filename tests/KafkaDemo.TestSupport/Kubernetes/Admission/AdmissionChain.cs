using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The admission plugins a write through the API passes, in the API server's order: mutating first
/// (ServiceAccount, for pods being created), then validating (ValidatingAdmissionPolicy) on the object as it
/// would be stored. The fake's own controllers and direct writes (<c>Put</c>, <c>PatchStatus</c>, <c>Delete</c>)
/// skip admission.
/// </summary>
internal sealed class AdmissionChain(ObjectStore store, ValidatingPolicyAdmission policies)
{
    /// <summary>Mutating admission of a new object: the ServiceAccount plugin's defaults and token volume for a pod, or its 403.</summary>
    public void Mutate(AdmissionAttributes attributes, JsonObject item)
    {
        if (attributes.Operation != "CREATE" || attributes.Kind.Type != ResourceType.Pods || attributes.Subresource.Length > 0)
        {
            return;
        }

        var spec = item["spec"] as JsonObject;
        if (spec is null)
        {
            spec = [];
            item["spec"] = spec;
        }

        if (ServiceAccountAdmission.Admit(attributes.Namespace ?? "", item["metadata"] as JsonObject, spec, (ns, name) => store.Get(ObjectKey.Of(ResourceType.ServiceAccounts, ns, name))) is { } refusal)
        {
            // admission.NewForbidden: the request's name, else the object's name or generateName.
            var name = attributes.Name.Length > 0 ? attributes.Name
                : JsonFields.Text(item, "metadata", "generateName") is { Length: > 0 } prefix ? prefix
                : "Unknown";
            throw ApiStatusException.ForbiddenFor("", "pods", name, refusal);
        }
    }

    public void Validate(AdmissionAttributes attributes) => policies.Validate(attributes);
}
