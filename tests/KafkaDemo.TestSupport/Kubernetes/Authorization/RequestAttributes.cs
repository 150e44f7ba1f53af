using Microsoft.AspNetCore.Http;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// What the authorizer is asked about a request, derived from its method, path and query exactly as the
/// API server's RequestInfo does (k8s.io/apiserver pkg/endpoints/request/requestinfo.go NewRequestInfo,
/// v0.32.13): a non-resource request (fewer than 3 path segments, not under /api or /apis, or
/// <c>/apis/{group}[/{version}]</c>) has the lower-cased HTTP method as its verb and the path; a resource
/// request has group, version, namespace, resource, name and subresource, and a verb from the method
/// (POST create, GET/HEAD get, PUT update, PATCH patch, DELETE delete), with get without a name becoming
/// list or watch and delete without a name deletecollection. The deprecated <c>/watch/</c> and
/// <c>/proxy/</c> prefixes set the verb; proxy takes no subresource.
/// </summary>
internal sealed record RequestAttributes(
    UserInfo User,
    string Verb,
    bool IsResourceRequest,
    string Path,
    string Namespace,
    string ApiGroup,
    string ApiVersion,
    string Resource,
    string Subresource,
    string Name)
{
    private static readonly HashSet<string> SpecialVerbs = ["proxy", "watch"];
    private static readonly HashSet<string> NamespaceSubresources = ["status", "finalize"];

    public static RequestAttributes From(UserInfo user, string method, string path, IQueryCollection query)
    {
        var nonResource = new RequestAttributes(user, method.ToLowerInvariant(), false, path, "", "", "", "", "", "");
        var parts = path.Trim('/') is { Length: > 0 } trimmed ? trimmed.Split('/') : [];
        if (parts.Length < 3 || parts[0] is not ("api" or "apis"))
        {
            return nonResource;
        }

        var rest = parts[1..];
        var group = "";
        if (parts[0] == "apis")
        {
            if (rest.Length < 3)
            {
                return nonResource;
            }

            group = rest[0];
            rest = rest[1..];
        }

        var version = rest[0];
        rest = rest[1..];
        string verb;
        if (SpecialVerbs.Contains(rest[0]))
        {
            if (rest.Length < 2)
            {
                // NewRequestInfo returns an error here ("unable to determine kind and namespace"); the
                // filter then answers 500. The fake treats it as the non-resource request it resembles.
                return nonResource;
            }

            verb = rest[0];
            rest = rest[1..];
        }
        else
        {
            verb = method switch
            {
                "POST" => "create",
                "GET" or "HEAD" => "get",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => "delete",
                _ => "",
            };
        }

        var @namespace = "";
        if (rest[0] == "namespaces" && rest.Length > 1)
        {
            @namespace = rest[1];
            if (rest.Length > 2 && !NamespaceSubresources.Contains(rest[2]))
            {
                rest = rest[2..];
            }
        }

        var resource = rest[0];
        var name = rest.Length >= 2 ? rest[1] : "";
        var subresource = rest.Length >= 3 && verb != "proxy" ? rest[2] : "";
        if (name.Length == 0 && verb == "get")
        {
            verb = IsWatch(query) ? "watch" : "list";
            if (ExactName(query["fieldSelector"].FirstOrDefault()) is { } selected)
            {
                name = selected;
            }
        }

        if (name.Length == 0 && verb == "delete")
        {
            verb = "deletecollection";
        }

        return new RequestAttributes(user, verb, true, path, @namespace, group, version, resource, subresource, name);
    }

    /// <summary>
    /// Whether a list is a watch: the <c>watch</c> parameter as apimachinery's Convert_Slice_string_To_bool
    /// reads it (pkg/runtime/conversion.go): only "0" and "false" (any case) are false, anything else,
    /// even empty, is true.
    /// </summary>
    public static bool IsWatch(IQueryCollection query) =>
        query["watch"] is { Count: > 0 } values && values[0]?.ToLowerInvariant() is not ("0" or "false");

    /// <summary>
    /// The name a field selector requires exactly (<c>metadata.name=x</c> or <c>==x</c> among its terms:
    /// fields.Selector RequiresExactMatch), when it is a valid path segment (path.IsValidPathSegmentName).
    /// </summary>
    private static string? ExactName(string? fieldSelector)
    {
        foreach (var term in (fieldSelector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var value = term.StartsWith("metadata.name==", StringComparison.Ordinal) ? term["metadata.name==".Length..]
                : term.StartsWith("metadata.name=", StringComparison.Ordinal) ? term["metadata.name=".Length..]
                : null;
            if (value is { Length: > 0 } && value is not ("." or "..") && !value.Contains('/', StringComparison.Ordinal) && !value.Contains('%', StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }
}
