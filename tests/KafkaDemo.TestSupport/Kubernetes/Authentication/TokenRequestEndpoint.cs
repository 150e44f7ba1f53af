using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// <c>POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token</c>: the TokenRequest API
/// (authentication.k8s.io/v1), as k8s.io/kubernetes pkg/registry/core/serviceaccount/storage/token.go
/// TokenREST.Create answers it: the body's name and namespace must match the URL's (422), the account
/// must exist (404), <c>spec.expirationSeconds</c> defaults to 3600 (pkg/apis/authentication/v1/defaults.go)
/// and must be at least 600 and at most 2^32 (pkg/apis/authentication/validation ValidateTokenRequest:
/// 422 on the unnamed TokenRequest), the audiences default to the server's, and a
/// <c>boundObjectRef</c> to a Pod must name an existing pod of that account. The answer (201) is the
/// request with its defaults, the account's name and namespace, and <c>status.token</c> and
/// <c>status.expirationTimestamp</c>. The token authenticates as the account until then (on the fake's
/// clock, with the authenticator's leeway), while the account exists, and, if bound, while the pod does.
/// The tokens are opaque strings, not JWTs.
/// </summary>
internal sealed class TokenRequestEndpoint(ObjectStore store, TokenRegistry tokens)
{
    private const string Group = "authentication.k8s.io";
    private const string Kind = "TokenRequest";
    private const long MinimumSeconds = 10 * 60;
    private const long MaximumSeconds = 1L << 32;

    /// <summary>
    /// The audiences k3s gives its API server (<c>--api-audiences</c>), which an empty
    /// <c>spec.audiences</c> takes. From k3s's defaults as remembered, not re-read at a pinned version.
    /// </summary>
    private static readonly string[] ServerAudiences = ["https://kubernetes.default.svc.cluster.local", "k3s"];

    public JsonObject Create(string @namespace, string name, JsonObject body)
    {
        var apiVersion = JsonFields.Text(body, "apiVersion");
        var kind = JsonFields.Text(body, "kind");
        if ((apiVersion is not null && apiVersion != $"{Group}/v1") || (kind is not null && kind != Kind))
        {
            throw ApiStatusException.BadRequest($"the body of the request must be a {Group}/v1 {Kind}, not {apiVersion} {kind}");
        }

        if (JsonFields.Text(body, "metadata", "name") is { Length: > 0 } givenName && givenName != name)
        {
            throw ApiStatusException.Invalid(Group, Kind, name, [FieldError.Invalid("metadata.name", givenName, "must match the service account name if specified")]);
        }

        if (JsonFields.Text(body, "metadata", "namespace") is { Length: > 0 } givenNamespace && givenNamespace != @namespace)
        {
            throw ApiStatusException.Invalid(Group, Kind, name, [FieldError.Invalid("metadata.namespace", givenNamespace, "must match the service account namespace if specified")]);
        }

        var account = store.Get(ObjectKey.Of(ResourceType.ServiceAccounts, @namespace, name)) ?? throw ApiStatusException.NotFound(ResourceType.ServiceAccounts, name);
        var spec = body["spec"] as JsonObject ?? [];
        var audiences = (spec["audiences"] as JsonArray ?? []).Select(a => a?.GetValue<string>()).OfType<string>().ToArray();
        if (audiences.Length == 0)
        {
            audiences = ServerAudiences;
        }

        var seconds = spec["expirationSeconds"] is JsonValue given && given.TryGetValue<long>(out var requested) ? requested : 3600;
        if (seconds < MinimumSeconds)
        {
            throw ApiStatusException.Invalid(Group, Kind, "", [FieldError.Invalid("spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes")]);
        }

        if (seconds > MaximumSeconds)
        {
            throw ApiStatusException.Invalid(Group, Kind, "", [FieldError.Invalid("spec.expirationSeconds", seconds, "may not specify a duration larger than 2^32 seconds")]);
        }

        var boundPodUid = BoundPod(spec["boundObjectRef"] as JsonObject, @namespace, name);
        var now = store.Now;
        var expires = now.AddSeconds(seconds);
        var token = tokens.IssueUntil(new ServiceAccountRef(@namespace, name), JsonFields.Text(account, "metadata", "uid") ?? "", expires, boundPodUid);
        var answeredSpec = new JsonObject
        {
            ["audiences"] = new JsonArray(audiences.Select(a => (JsonNode)a).ToArray()),
            ["expirationSeconds"] = seconds,
        };
        if (spec["boundObjectRef"] is JsonObject bound)
        {
            answeredSpec["boundObjectRef"] = bound.DeepClone();
        }

        return new JsonObject
        {
            ["kind"] = Kind,
            ["apiVersion"] = $"{Group}/v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = @namespace, ["creationTimestamp"] = KubeTime.Format(now) },
            ["spec"] = answeredSpec,
            ["status"] = new JsonObject { ["token"] = token, ["expirationTimestamp"] = KubeTime.Format(expires) },
        };
    }

    /// <summary>The uid of the pod a token is to be bound to, checked as TokenREST.Create checks it; null if unbound.</summary>
    private string? BoundPod(JsonObject? reference, string @namespace, string account)
    {
        if (reference is null)
        {
            return null;
        }

        var apiVersion = JsonFields.Text(reference, "apiVersion") ?? "";
        var kind = JsonFields.Text(reference, "kind") ?? "";
        if (apiVersion != "v1" || kind != "Pod")
        {
            // The real server also binds to Secrets and Nodes; the fake revokes tokens only with their pod, so it refuses them.
            var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
            var version = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[(apiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..] : apiVersion;
            // schema.GroupVersionKind.String(): "group/version, Kind=kind", with the slash even for the core group.
            throw ApiStatusException.BadRequest($"cannot bind token to object of type {group}/{version}, Kind={kind}");
        }

        var podName = JsonFields.Text(reference, "name") ?? "";
        var pod = store.Get(ObjectKey.Of(ResourceType.Pods, @namespace, podName)) ?? throw ApiStatusException.NotFound(ResourceType.Pods, podName);
        if (JsonFields.Text(pod, "spec", "serviceAccountName") != account)
        {
            throw ApiStatusException.BadRequest($"cannot bind token for serviceaccount \"{account}\" to pod running with different serviceaccount name.");
        }

        var uid = JsonFields.Text(pod, "metadata", "uid")!;
        if (JsonFields.Text(reference, "uid") is { Length: > 0 } expected && expected != uid)
        {
            throw ApiStatusException.Conflict("Pod", podName, $"the UID in the bound object reference ({expected}) does not match the UID in record. The object might have been deleted and then recreated");
        }

        return uid;
    }
}
