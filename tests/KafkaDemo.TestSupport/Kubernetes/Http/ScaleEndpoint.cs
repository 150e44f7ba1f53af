using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// <c>GET/PUT/PATCH /apis/apps/v1/namespaces/{ns}/deployments/{name}/scale</c>: a Deployment's replicas as an
/// autoscaling/v1 <c>Scale</c>, written from kubernetes pkg/registry/apps/deployment/storage/storage.go
/// (ScaleREST Get, Update and scaleFromDeployment; scaleUpdatedObjectInfo applies the PUT or PATCH to the
/// Scale, then copies spec.replicas into the Deployment under the Scale's resourceVersion, if given).
/// <c>kubectl scale</c> without preconditions sends a merge patch <c>{"spec":{"replicas":N}}</c>
/// (kubectl pkg/scale/scale.go genericScaler.ScaleSimple); KubernetesClient's
/// <c>PatchNamespacedDeploymentScaleAsync</c> sends whatever patch it is given. RBAC sees
/// <c>deployments/scale</c>. The managedFields follow k8s.io/apimachinery v0.32.13 (Kubernetes 1.32.13, the
/// version the fake serves; commit 59e9003f02d6f0c8fff53719a7a0604ec82ee9a9) pkg/util/managedfields/scalehandler.go,
/// ScaleHandler.ToSubresource and ToParent (L62-162), which the Deployment registry calls around the
/// handler's field manager for the Scale (kubernetes pkg/registry/apps/deployment/storage/storage.go
/// scaleUpdatedObjectInfo.UpdatedObject):
/// - a write that changes the count makes the writer's Update entry through the subresource <c>scale</c> own
///   <c>f:spec.f:replicas</c> of the Deployment (apiVersion apps/v1, ToParent L148-159); every other entry loses
///   that field ("Steal" the replicas path, L127-139) and an entry left empty is dropped (L131), so an apply
///   that leaves spec.replicas out afterwards keeps the scaled count;
/// - a write that leaves the count as it was changes no ownership (the Scale's field manager took nothing,
///   so ToParent keeps the entries, L140-145; kubernetes test/integration/apiserver/apply/scale_test.go
///   TestScaleUpdateOnlyStatus);
/// - the writer's entry has <b>no time</b>: ToParent takes each time from the parent's entries under the
///   Scale's manager identifier (L158, <c>decodedParentEntries.Times()[manager]</c>), and for an Update that
///   identifier carries the Scale's apiVersion autoscaling/v1 (internal/managedfields.go BuildManagerIdentifier
///   keeps apiVersion for Update), which no entry of the Deployment (apps/v1) has; so the time the Scale's
///   field manager set is lost and the entry is encoded without one (encodeManagedFields sets Time only from
///   that map). Read from the source, not seen on a running 1.32 server.
/// Simplified: apply patches are refused (415), and the write is not put through admission policies.
/// </summary>
internal static class ScaleEndpoint
{
    public static async Task HandleAsync(HttpContext context, ObjectStore store, ObjectWriter writer, ResourceKind kind, string @namespace, string name, string? body, string manager)
    {
        var method = context.Request.Method;
        var key = ObjectKey.Of(kind.Type, @namespace, name);
        var deployment = store.Get(key) ?? throw ApiStatusException.NotFound(kind.Type, name);
        if (method == "GET")
        {
            await JsonResponse.WriteAsync(context, 200, ScaleOf(deployment));
            return;
        }

        JsonObject scale;
        switch (method)
        {
            case "PUT":
                scale = YamlDocument.Parse(body ?? "") as JsonObject ?? throw ApiStatusException.BadRequest("the request body must be an object");
                break;
            case "PATCH":
                var contentType = context.Request.ContentType?.Split(';')[0].Trim();
                var patch = YamlDocument.Parse(body ?? "");
                var patched = contentType switch
                {
                    "application/merge-patch+json" or "application/strategic-merge-patch+json" => MergePatch.Apply(ScaleOf(deployment), patch),
                    "application/json-patch+json" => JsonPatch.Apply(ScaleOf(deployment), patch as JsonArray ?? throw ApiStatusException.BadRequest("a json patch must be an array of operations")),
                    _ => throw ApiStatusException.UnsupportedMediaType(contentType),
                };
                scale = patched as JsonObject ?? throw ApiStatusException.BadRequest("the patched object is not an object");
                break;
            default:
                throw ApiStatusException.MethodNotAllowed(method);
        }

        // pkg/apis/autoscaling/validation ValidateScale: spec.replicas must be >= 0
        // (apimachinery ValidateNonnegativeField: "must be greater than or equal to 0").
        var replicasNode = scale["spec"]?["replicas"];
        var replicas = replicasNode is JsonValue r && r.TryGetValue<int>(out var n) ? n : 0;
        if (replicas < 0)
        {
            throw ApiStatusException.Invalid("autoscaling", "Scale", name, [FieldError.Invalid("spec.replicas", replicas, "must be greater than or equal to 0")]);
        }

        var update = new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } };
        if (JsonFields.Text(scale, "metadata", "resourceVersion") is { Length: > 0 } version)
        {
            update["metadata"] = new JsonObject { ["resourceVersion"] = version };
        }

        var dryRun = context.Request.Query["dryRun"].Count > 0;
        var written = writer.Patch(kind, @namespace, name, PatchKind.Merge, update, FieldScope.Main, manager, force: false, dryRun, subresource: "scale");
        await JsonResponse.WriteAsync(context, 200, ScaleOf(written.Object));
    }

    /// <summary>scaleFromDeployment: the Deployment's identity, spec.replicas, status.replicas and its selector as a string.</summary>
    private static JsonObject ScaleOf(JsonObject deployment)
    {
        var metadata = deployment["metadata"] as JsonObject ?? [];
        var selector = deployment["spec"]?["selector"] as JsonObject;
        var status = new JsonObject { ["replicas"] = deployment["status"]?["replicas"]?.DeepClone() ?? 0 };
        if (SelectorText(selector) is { Length: > 0 } text)
        {
            status["selector"] = text;
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = metadata["name"]?.DeepClone(),
                ["namespace"] = metadata["namespace"]?.DeepClone(),
                ["uid"] = metadata["uid"]?.DeepClone(),
                ["resourceVersion"] = metadata["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = metadata["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = deployment["spec"]?["replicas"]?.DeepClone() ?? 1 },
            ["status"] = status,
        };
    }

    /// <summary>
    /// metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key; matchLabels as <c>k=v</c>,
    /// expressions as <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c>, <c>!k</c> (values sorted).
    /// </summary>
    private static string SelectorText(JsonObject? selector)
    {
        var terms = new List<(string Key, string Text)>();
        foreach (var (label, value) in selector?["matchLabels"] as JsonObject ?? [])
        {
            terms.Add((label, $"{label}={value?.GetValue<string>()}"));
        }

        foreach (var expression in (selector?["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var label = JsonFields.Text(expression, "key") ?? "";
            var values = string.Join(',', (expression["values"] as JsonArray ?? []).Select(v => v?.GetValue<string>()).Order(StringComparer.Ordinal));
            terms.Add((label, JsonFields.Text(expression, "operator") switch
            {
                "In" => $"{label} in ({values})",
                "NotIn" => $"{label} notin ({values})",
                "Exists" => label,
                _ => "!" + label,
            }));
        }

        return string.Join(',', terms.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Text));
    }
}
