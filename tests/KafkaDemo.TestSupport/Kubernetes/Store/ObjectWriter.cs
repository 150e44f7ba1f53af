using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>How a PATCH body is to be read.</summary>
internal enum PatchKind
{
    Apply,
    Merge,
    StrategicMerge,
    Json,
}

/// <summary>
/// What the API server's write verbs mean: create, replace, patch (merge, strategic merge treated as
/// merge, JSON patch), server-side apply and delete, with the server's checks (type, name, namespace,
/// resourceVersion preconditions, existence), status subresource rules and managedFields bookkeeping.
/// </summary>
/// <remarks>
/// A write with an <see cref="AdmissionContext"/> came through the API and passes admission (the
/// <see cref="AdmissionChain"/>: mutating on create, validating just before it is stored, dry runs too); one
/// without is the fake's own (direct access, its controllers) and does not.
/// </remarks>
internal sealed class ObjectWriter(ObjectStore store, AdmissionChain admission)
{
    public WriteResult Create(ResourceKind kind, string? @namespace, JsonObject body, string manager, bool dryRun, AdmissionContext? request = null)
    {
        CheckType(body, kind, required: false);
        CheckNamespace(body, @namespace);
        var requestedName = JsonFields.Text(body, "metadata", "name") ?? "";
        var name = NameFor(body, kind);
        return store.Write(ObjectKey.Of(kind.Type, @namespace, name), kind, current =>
        {
            if (current is not null)
            {
                throw ApiStatusException.AlreadyExists(kind.Type, name);
            }

            RequireNamespace(kind, @namespace);
            var next = (JsonObject)body.DeepClone();
            next["apiVersion"] = kind.Type.ApiVersion;
            next["kind"] = kind.Kind;
            JsonFields.Metadata(next).Remove("resourceVersion");
            if (request is not null)
            {
                admission.Mutate(Attributes(request, "CREATE", kind, FieldScope.Main, @namespace, requestedName, next, null), next);
            }

            SetCreationDefaults(next, kind, name);
            ManagedFieldsEntry.RecordUpdate(null, next, manager, kind.Type.ApiVersion, FieldScope.Main, kind.HasStatus, Now());
            return next;
        }, new WriteCause("create", manager, request is not null), dryRun, Admit(request, kind, FieldScope.Main, @namespace, requestedName));
    }

    public WriteResult Replace(ResourceKind kind, string? @namespace, string name, JsonObject body, FieldScope scope, string manager, bool dryRun, AdmissionContext? request = null)
    {
        CheckType(body, kind, required: false);
        CheckName(body, name);
        CheckNamespace(body, @namespace);
        return store.Write(ObjectKey.Of(kind.Type, @namespace, name), kind, current =>
        {
            if (current is null)
            {
                throw ApiStatusException.NotFound(kind.Type, name);
            }

            CheckVersion(body, current, kind, name);
            JsonObject next;
            if (scope == FieldScope.Status)
            {
                next = current;
                SetField(next, "status", body["status"]);
            }
            else
            {
                next = (JsonObject)body.DeepClone();
                next["apiVersion"] = kind.Type.ApiVersion;
                next["kind"] = kind.Kind;
                if (kind.HasStatus)
                {
                    SetField(next, "status", current["status"]);
                }
            }

            ManagedFieldsEntry.RecordUpdate(current, next, manager, kind.Type.ApiVersion, scope, kind.HasStatus, Now());
            return next;
        }, new WriteCause(scope == FieldScope.Status ? "update-status" : "update", manager, request is not null), dryRun, Admit(request, kind, scope, @namespace, name));
    }

    /// <param name="subresource">The subresource the patch came through when it is not the scope's own ("scale"), for managedFields.</param>
    public WriteResult Patch(ResourceKind kind, string? @namespace, string name, PatchKind patchKind, JsonNode? patch, FieldScope scope, string manager, bool force, bool dryRun, AdmissionContext? request = null, string? subresource = null)
    {
        if (patchKind == PatchKind.Apply)
        {
            return Apply(kind, @namespace, name, patch as JsonObject ?? throw ApiStatusException.BadRequest("the apply patch must be an object"), scope, manager, force, dryRun, request);
        }

        return store.Write(ObjectKey.Of(kind.Type, @namespace, name), kind, current =>
        {
            if (current is null)
            {
                throw ApiStatusException.NotFound(kind.Type, name);
            }

            var before = (JsonObject)current.DeepClone();
            var patched = patchKind == PatchKind.Json
                ? JsonPatch.Apply(current, patch as JsonArray ?? throw ApiStatusException.BadRequest("a json patch must be an array of operations"))
                : MergePatch.Apply(current, patch);
            if (patched is not JsonObject result)
            {
                throw ApiStatusException.BadRequest("the patched object is not an object");
            }

            CheckVersion(result, before, kind, name);
            JsonObject next;
            if (scope == FieldScope.Status)
            {
                next = (JsonObject)before.DeepClone();
                SetField(next, "status", result["status"]);
            }
            else
            {
                next = result;
                next["apiVersion"] = kind.Type.ApiVersion;
                next["kind"] = kind.Kind;
                if (kind.HasStatus)
                {
                    SetField(next, "status", before["status"]);
                }
            }

            ManagedFieldsEntry.RecordUpdate(before, next, manager, kind.Type.ApiVersion, scope, kind.HasStatus, Now(), subresource);
            return next;
        }, new WriteCause(scope == FieldScope.Status ? "patch-status" : "patch", manager, request is not null), dryRun, Admit(request, kind, scope, @namespace, name));
    }

    private WriteResult Apply(ResourceKind kind, string? @namespace, string name, JsonObject applied, FieldScope scope, string manager, bool force, bool dryRun, AdmissionContext? request)
    {
        CheckType(applied, kind, required: true);
        CheckName(applied, name);
        CheckNamespace(applied, @namespace);
        return store.Write(ObjectKey.Of(kind.Type, @namespace, name), kind, current =>
        {
            if (current is null)
            {
                if (scope == FieldScope.Status)
                {
                    throw ApiStatusException.NotFound(kind.Type, name);
                }

                RequireNamespace(kind, @namespace);
            }
            else
            {
                CheckVersion(applied, current, kind, name);
            }

            var next = ServerSideApply.Apply(current, applied, new ApplyRequest(manager, force, kind.Type.ApiVersion, scope, kind.HasStatus, Now()));
            next["apiVersion"] = kind.Type.ApiVersion;
            next["kind"] = kind.Kind;
            if (current is null)
            {
                if (request is not null)
                {
                    admission.Mutate(Attributes(request, "CREATE", kind, scope, @namespace, name, next, null), next);
                }

                SetCreationDefaults(next, kind, name);
            }

            return next;
        }, new WriteCause(scope == FieldScope.Status ? "apply-status" : "apply", manager, request is not null), dryRun, Admit(request, kind, scope, @namespace, name));
    }

    /// <summary>
    /// Deletes an object. A namespace takes its objects with it, a CustomResourceDefinition its custom
    /// resources (the real server does both through finalizers; here it happens at once).
    /// </summary>
    public JsonObject Delete(ResourceKind kind, string? @namespace, string name, bool dryRun, string? manager = null, AdmissionContext? request = null)
    {
        var key = ObjectKey.Of(kind.Type, @namespace, name);
        var cause = new WriteCause("delete", manager, request is not null);
        return store.InLock(() =>
        {
            var current = store.Get(key) ?? throw ApiStatusException.NotFound(kind.Type, name);
            if (request is not null)
            {
                admission.Validate(Attributes(request, "DELETE", kind, FieldScope.Main, @namespace, name, null, current));
            }

            if (!dryRun && kind.Type == ResourceType.Namespaces)
            {
                store.DeleteWhere(k => k.Namespace == name, cause);
            }

            if (!dryRun && kind.Type == ResourceType.CustomResourceDefinitions
                && JsonFields.Text(current, "spec", "group") is { } group && JsonFields.Text(current, "spec", "names", "plural") is { } plural)
            {
                store.DeleteWhere(k => k.Group == group && k.Plural == plural, cause);
            }

            return store.Delete(key, cause, dryRun)!;
        });
    }

    private string Now() => KubeTime.Format(store.Now);

    /// <summary>
    /// Validating admission for a write through the API: CREATE when nothing is stored (a create, or an
    /// apply that creates: k8s.io/apiserver pkg/endpoints/handlers/patch.go applyAdmission), else UPDATE (PUT
    /// and every kind of PATCH), with the status subresource named when it is the one written.
    /// </summary>
    private Action<JsonObject?, JsonObject>? Admit(AdmissionContext? request, ResourceKind kind, FieldScope scope, string? @namespace, string name) =>
        request is null ? null : (stored, next) =>
            admission.Validate(Attributes(request, stored is null ? "CREATE" : "UPDATE", kind, scope, @namespace, name, next, stored));

    /// <summary>The attributes of a review; a namespace object's own name is its namespace, as in the API server's attributes.</summary>
    private static AdmissionAttributes Attributes(AdmissionContext request, string operation, ResourceKind kind, FieldScope scope, string? @namespace, string name, JsonObject? item, JsonObject? old) =>
        new(operation, kind, scope == FieldScope.Status ? "status" : "", kind.Type == ResourceType.Namespaces ? name : @namespace, name, item, old, request);

    private void RequireNamespace(ResourceKind kind, string? @namespace)
    {
        if (kind.Namespaced && @namespace is not null && !store.Exists(ObjectKey.Of(ResourceType.Namespaces, null, @namespace)))
        {
            throw ApiStatusException.NotFound(ResourceType.Namespaces, @namespace);
        }
    }

    /// <summary>What the server fills in on create: namespaces are Active, pods Pending, other status is reset.</summary>
    private static void SetCreationDefaults(JsonObject item, ResourceKind kind, string name)
    {
        if (kind.Type == ResourceType.Namespaces)
        {
            // The kubernetes.io/metadata.name label: ObjectStore sets it on every write (NamespaceNameLabel).
            var spec = item["spec"] as JsonObject ?? [];
            item["spec"] = spec;
            spec["finalizers"] ??= new JsonArray("kubernetes");
            item["status"] = new JsonObject { ["phase"] = "Active" };
        }
        else if (kind.Type == ResourceType.Pods)
        {
            item["status"] = new JsonObject { ["phase"] = "Pending" };
        }
        else if (kind.HasStatus)
        {
            item.Remove("status");
        }
    }

    private static void SetField(JsonObject item, string name, JsonNode? value)
    {
        if (value is null)
        {
            item.Remove(name);
        }
        else
        {
            item[name] = value.DeepClone();
        }
    }

    private static string NameFor(JsonObject body, ResourceKind kind)
    {
        if (JsonFields.Text(body, "metadata", "name") is { Length: > 0 } name)
        {
            return name;
        }

        if (JsonFields.Text(body, "metadata", "generateName") is { Length: > 0 } prefix)
        {
            const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
            return prefix + string.Concat(Enumerable.Range(0, 5).Select(_ => Alphabet[Random.Shared.Next(Alphabet.Length)]));
        }

        throw ApiStatusException.Invalid(kind.Kind, "", "metadata.name", "Required value: name or generateName is required");
    }

    private static void CheckType(JsonObject body, ResourceKind kind, bool required)
    {
        var apiVersion = JsonFields.Text(body, "apiVersion");
        var kindName = JsonFields.Text(body, "kind");
        if (required && (apiVersion is null || kindName is null))
        {
            throw ApiStatusException.BadRequest($"Object 'Kind' is missing in '{body.ToJsonString()}'");
        }

        var group = apiVersion is null ? null : apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        if (apiVersion is not null && group != kind.Type.Group)
        {
            throw ApiStatusException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({kind.Type.ApiVersion})");
        }

        if (kindName is not null && kindName != kind.Kind)
        {
            throw ApiStatusException.BadRequest($"the kind in the data ({kindName}) does not match the expected kind ({kind.Kind})");
        }
    }

    private static void CheckName(JsonObject body, string name)
    {
        if (JsonFields.Text(body, "metadata", "name") is { Length: > 0 } given && given != name)
        {
            throw ApiStatusException.BadRequest($"the name of the object ({given}) does not match the name on the URL ({name})");
        }
    }

    private static void CheckNamespace(JsonObject body, string? @namespace)
    {
        if (JsonFields.Text(body, "metadata", "namespace") is { Length: > 0 } given && given != @namespace)
        {
            throw ApiStatusException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    /// <summary>A resourceVersion in the body is a precondition: it must be the current one.</summary>
    private static void CheckVersion(JsonObject body, JsonObject current, ResourceKind kind, string name)
    {
        if (JsonFields.Text(body, "metadata", "resourceVersion") is { Length: > 0 } expected
            && expected != JsonFields.Text(current, "metadata", "resourceVersion"))
        {
            throw ApiStatusException.VersionConflict(kind.Type, name);
        }
    }
}
