using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The verbs on resource URLs: GET (item, list, watch), POST (create), PUT (replace), PATCH (apply,
/// merge, strategic merge, JSON patch), DELETE, on the main resource and its <c>/status</c>
/// subresource, namespaced, cluster-scoped and across all namespaces; <c>/exec</c> goes to exec, a pod's
/// <c>/proxy</c> to the pod proxy and a service account's <c>/token</c> to the TokenRequest API.
/// </summary>
internal sealed class ResourceEndpoints(
    ObjectStore store, KindRegistry kinds, ObjectWriter writer, ExecEndpoint exec, PodProxyEndpoint proxy, PodLogEndpoint logs, TokenRequestEndpoint tokenRequests, RbacAuthorizer authorizer, ConcurrentQueue<AppliedObject> applied)
{
    public async Task HandleAsync(HttpContext context, ResourcePath path, RecordedRequest request, RequestAttributes attributes, CancellationToken stopping)
    {
        var kind = kinds.Find(path.Group, path.Version, path.Plural) ?? throw ApiStatusException.UnknownResource();
        if (kind.Namespaced ? path.Name is not null && path.Namespace is null : path.Namespace is not null)
        {
            throw ApiStatusException.UnknownResource();
        }

        var method = context.Request.Method;
        var scope = FieldScope.Main;
        switch (path.Subresource)
        {
            case null:
                break;
            case "status" when kind.HasStatus:
                scope = FieldScope.Status;
                break;
            case "exec" when kind.HasExec && method is "GET" or "POST":
                await exec.HandleAsync(context, path.Namespace!, path.Name!, stopping);
                return;
            case "proxy" when kind.Type == ResourceType.Pods:
                await proxy.HandleAsync(context, path.Namespace!, path.Name!, path.Remainder, request.Body);
                return;
            case "scale" when kind.Type == ResourceType.Deployments && path.Namespace is not null:
                await ScaleEndpoint.HandleAsync(context, store, writer, kind, path.Namespace, path.Name!, request.Body, Manager(context, request));
                return;
            case "log" when kind.Type == ResourceType.Pods && method == "GET":
                await logs.HandleAsync(context, path.Namespace!, path.Name!, stopping);
                return;
            case "token" when kind.Type == ResourceType.ServiceAccounts:
                if (method != "POST")
                {
                    throw ApiStatusException.MethodNotAllowed(method);
                }

                await JsonResponse.WriteAsync(context, 201, tokenRequests.Create(path.Namespace!, path.Name!, BodyObject(context, request)));
                return;
            default:
                throw ApiStatusException.UnknownResource();
        }

        var query = context.Request.Query;
        var dryRun = query["dryRun"].Count > 0;
        var admission = new AdmissionContext(attributes.User, dryRun, request, Manager(context, request));
        if (method == "GET" && (path.WatchPrefix || RequestAttributes.IsWatch(query)) && scope == FieldScope.Main)
        {
            // The deprecated /watch/.../{name} form watches one object, as a name field selector does.
            var fieldSelector = string.Join(',', new[] { query["fieldSelector"].FirstOrDefault(), path.Name is null ? null : $"metadata.name={path.Name}" }.Where(s => !string.IsNullOrEmpty(s)));
            var timeout = int.TryParse(query["timeoutSeconds"].FirstOrDefault(), CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            await WatchStream.ServeAsync(
                context, store, kind, path.Namespace, Selectors.Parse(query["labelSelector"].FirstOrDefault(), fieldSelector),
                query["resourceVersion"].FirstOrDefault(), timeout, stopping);
            return;
        }

        if (path.Name is null)
        {
            var selectors = Selectors.Parse(query["labelSelector"].FirstOrDefault(), query["fieldSelector"].FirstOrDefault());
            switch (method)
            {
                case "GET":
                    await ListAsync(context, kind, path.Namespace, selectors);
                    return;
                case "POST":
                    var created = writer.Create(kind, path.Namespace, BodyObject(context, request), Manager(context, request), dryRun, admission);
                    await JsonResponse.WriteAsync(context, 201, JsonResponse.Present(created.Object, kind));
                    return;
                default:
                    throw ApiStatusException.MethodNotAllowed(method);
            }
        }

        switch (method)
        {
            case "GET":
                var found = store.Get(ObjectKey.Of(kind.Type, path.Namespace, path.Name)) ?? throw ApiStatusException.NotFound(kind.Type, path.Name);
                await WriteObjectAsync(context, 200, found, kind);
                return;
            case "PUT":
                var replaced = writer.Replace(kind, path.Namespace, path.Name, BodyObject(context, request), scope, Manager(context, request), dryRun, admission);
                await JsonResponse.WriteAsync(context, 200, JsonResponse.Present(replaced.Object, kind));
                return;
            case "PATCH":
                await PatchAsync(context, request, attributes, admission, kind, path, scope, dryRun);
                return;
            case "DELETE" when scope == FieldScope.Main:
                var deleted = writer.Delete(kind, path.Namespace, path.Name, dryRun, Manager(context, request), admission);
                await JsonResponse.WriteAsync(context, 200, DeleteAnswer(kind, deleted));
                return;
            default:
                throw ApiStatusException.MethodNotAllowed(method);
        }
    }

    private async Task PatchAsync(HttpContext context, RecordedRequest request, RequestAttributes attributes, AdmissionContext admission, ResourceKind kind, ResourcePath path, FieldScope scope, bool dryRun)
    {
        var contentType = context.Request.ContentType?.Split(';')[0].Trim();
        var patchKind = contentType switch
        {
            "application/apply-patch+yaml" or "application/apply-patch+cbor" => PatchKind.Apply,
            "application/merge-patch+json" => PatchKind.Merge,
            "application/strategic-merge-patch+json" => PatchKind.StrategicMerge,
            "application/json-patch+json" => PatchKind.Json,
            _ => throw ApiStatusException.UnsupportedMediaType(contentType),
        };
        var query = context.Request.Query;
        var force = query["force"].FirstOrDefault() is "true" or "1";
        if (patchKind != PatchKind.Apply)
        {
            if (force)
            {
                throw ApiStatusException.Invalid("PatchOptions.meta.k8s.io", "", "force", "Forbidden: may not be specified for non-apply patch");
            }

            var body = YamlDocument.Parse(request.Body ?? "");
            var patched = writer.Patch(kind, path.Namespace, path.Name!, patchKind, body, scope, Manager(context, request), force: false, dryRun, admission with { FieldManager = Manager(context, request) });
            await JsonResponse.WriteAsync(context, 200, JsonResponse.Present(patched.Object, kind));
            return;
        }

        var manager = query["fieldManager"].FirstOrDefault() ?? "";
        var configuration = YamlDocument.Parse(request.Body ?? "") as JsonObject ?? throw ApiStatusException.BadRequest("the apply patch must be an object");
        var status = 500;
        try
        {
            if (manager.Length == 0)
            {
                throw ApiStatusException.Invalid("PatchOptions.meta.k8s.io", "", "fieldManager", "Required value: is required for apply patch");
            }

            if (!store.Exists(ObjectKey.Of(kind.Type, path.Namespace, path.Name!)))
            {
                // An apply that creates needs create as well as patch, with the name set
                // (k8s.io/apiserver pkg/endpoints/handlers/patch.go and update.go withAuthorization).
                authorizer.Require(attributes with { Verb = "create" });
            }

            var result = writer.Patch(kind, path.Namespace, path.Name!, PatchKind.Apply, configuration, scope, manager, force, dryRun, admission with { FieldManager = manager });
            status = result.Created ? 201 : 200;
            await JsonResponse.WriteAsync(context, status, JsonResponse.Present(result.Object, kind));
        }
        catch (ApiStatusException e)
        {
            status = (int)e.Code;
            throw;
        }
        finally
        {
            applied.Enqueue(new AppliedObject(request.Time, kind.Type, path.Namespace, path.Name!, manager, force, scope == FieldScope.Status, configuration, status));
        }
    }

    private async Task ListAsync(HttpContext context, ResourceKind kind, string? @namespace, Selectors selectors)
    {
        var query = context.Request.Query;
        var (items, version) = store.List(kind.Type.Group, kind.Type.Plural, @namespace);
        var matching = items.Where(selectors.Matches).ToList();
        var metadata = new JsonObject { ["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture) };
        if (query["continue"].FirstOrDefault() is { Length: > 0 } token)
        {
            var after = ContinueToken.Read(token);
            matching = matching.Where(i => ContinueToken.After(i, after)).ToList();
        }

        if (int.TryParse(query["limit"].FirstOrDefault(), CultureInfo.InvariantCulture, out var limit) && limit > 0 && matching.Count > limit)
        {
            metadata["continue"] = ContinueToken.Write(matching[limit - 1]);
            metadata["remainingItemCount"] = matching.Count - limit;
            matching = matching.Take(limit).ToList();
        }

        if (TableView.Wanted(context.Request.Headers.Accept))
        {
            await JsonResponse.WriteAsync(context, 200, TableView.Of(matching, version, query["includeObject"].FirstOrDefault(), store.Now));
            return;
        }

        var list = new JsonObject
        {
            ["kind"] = kind.ListKind,
            ["apiVersion"] = kind.Type.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray(matching.Select(i => (JsonNode)JsonResponse.Present(i, kind)).ToArray()),
        };
        await JsonResponse.WriteAsync(context, 200, list);
    }

    private async Task WriteObjectAsync(HttpContext context, int status, JsonObject item, ResourceKind kind)
    {
        if (TableView.Wanted(context.Request.Headers.Accept))
        {
            var version = long.Parse(JsonFields.Text(item, "metadata", "resourceVersion") ?? "0", CultureInfo.InvariantCulture);
            await JsonResponse.WriteAsync(context, status, TableView.Of([JsonResponse.Present(item, kind)], version, context.Request.Query["includeObject"].FirstOrDefault(), store.Now));
            return;
        }

        await JsonResponse.WriteAsync(context, status, JsonResponse.Present(item, kind));
    }

    /// <summary>
    /// Custom resources, definitions, namespaces, pods and services (kubernetes pkg/registry/core/service/storage
    /// storage.go NewREST: ReturnDeletedObject) answer a delete with the object; other kinds
    /// with a Success status, as the real server does.
    /// </summary>
    private static JsonObject DeleteAnswer(ResourceKind kind, JsonObject deleted)
    {
        if (kind.Type.Group is not ("" or "apps" or "discovery.k8s.io" or "rbac.authorization.k8s.io" or "admissionregistration.k8s.io") || kind.Type == ResourceType.Namespaces || kind.Type == ResourceType.Pods
            || kind.Type == ResourceType.Services)
        {
            return JsonResponse.Present(deleted, kind);
        }

        var details = new JsonObject { ["name"] = JsonFields.Text(deleted, "metadata", "name") };
        if (kind.Type.Group.Length > 0)
        {
            details["group"] = kind.Type.Group;
        }

        details["kind"] = kind.Type.Plural;
        details["uid"] = JsonFields.Text(deleted, "metadata", "uid");
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }

    private static JsonObject BodyObject(HttpContext context, RecordedRequest request)
    {
        RequireTextBody(context);
        return YamlDocument.Parse(request.Body ?? "") as JsonObject ?? throw ApiStatusException.BadRequest("the request body must be an object");
    }

    /// <summary>
    /// The fake reads JSON and YAML only. client-go's typed clients (kubectl create namespace,
    /// kubectl create configmap...) send protobuf, which the real server reads and the fake refuses.
    /// </summary>
    private static void RequireTextBody(HttpContext context)
    {
        var contentType = context.Request.ContentType?.Split(';')[0].Trim();
        if (contentType is not null && (contentType.Contains("protobuf", StringComparison.Ordinal) || contentType.Contains("cbor", StringComparison.Ordinal)))
        {
            throw ApiStatusException.UnsupportedMediaType(contentType);
        }
    }

    /// <summary>The fieldManager parameter, or, as the real server defaults it, the User-Agent up to its first '/'.</summary>
    private static string Manager(HttpContext context, RecordedRequest request) =>
        request.FieldManager is { Length: > 0 } manager ? manager
        : context.Request.Headers.UserAgent.FirstOrDefault() is { Length: > 0 } agent ? agent.Split('/')[0]
        : "unknown";

    /// <summary>List paging: the token names the last item returned; the next page starts after it.</summary>
    private static class ContinueToken
    {
        public static string Write(JsonObject last) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{JsonFields.Text(last, "metadata", "namespace")}/{JsonFields.Text(last, "metadata", "name")}"));

        public static (string Namespace, string Name) Read(string token)
        {
            try
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
                var slash = text.IndexOf('/', StringComparison.Ordinal);
                return (text[..slash], text[(slash + 1)..]);
            }
            catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException)
            {
                throw ApiStatusException.BadRequest("continue key is not valid: " + e.Message);
            }
        }

        public static bool After(JsonObject item, (string Namespace, string Name) last)
        {
            var byNamespace = string.CompareOrdinal(JsonFields.Text(item, "metadata", "namespace") ?? "", last.Namespace);
            return byNamespace > 0 || (byNamespace == 0 && string.CompareOrdinal(JsonFields.Text(item, "metadata", "name"), last.Name) > 0);
        }
    }
}
