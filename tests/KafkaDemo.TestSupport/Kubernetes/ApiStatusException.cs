using System.Net;
using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// An error the fake answers with a <c>v1.Status</c> body, shaped like the real API server's
/// (code, reason, message, details), so clients parse it as they would a real one.
/// </summary>
internal sealed class ApiStatusException : Exception
{
    private ApiStatusException(HttpStatusCode code, string reason, string message, JsonObject? details = null, bool withDetails = true)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details ?? (withDetails ? [] : null);
    }

    public HttpStatusCode Code { get; }

    public string Reason { get; }

    /// <summary>The status details; null when the real server sends none (its StatusDetails pointer is nil).</summary>
    public JsonObject? Details { get; }

    public static ApiStatusException NotFound(ResourceType type, string name) =>
        new(HttpStatusCode.NotFound, "NotFound", $"{type.GroupResource} \"{name}\" not found", DetailsOf(type, name));

    /// <summary>What the real server answers for a path it does not serve (an unknown group, version or resource).</summary>
    public static ApiStatusException UnknownResource() =>
        new(HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource");

    public static ApiStatusException AlreadyExists(ResourceType type, string name) =>
        new(HttpStatusCode.Conflict, "AlreadyExists", $"{type.GroupResource} \"{name}\" already exists", DetailsOf(type, name));

    public static ApiStatusException VersionConflict(ResourceType type, string name) =>
        new(HttpStatusCode.Conflict, "Conflict",
            $"Operation cannot be fulfilled on {type.GroupResource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            DetailsOf(type, name));

    /// <summary>apimachinery NewConflict: <c>Operation cannot be fulfilled on {resource} "{name}": {cause}</c>.</summary>
    public static ApiStatusException Conflict(string resource, string name, string cause) =>
        new(HttpStatusCode.Conflict, "Conflict", $"Operation cannot be fulfilled on {resource} {GoQuote(name)}: {cause}", new JsonObject { ["name"] = name, ["kind"] = resource });

    public static ApiStatusException ApplyConflict(string message, JsonArray causes) =>
        new(HttpStatusCode.Conflict, "Conflict", message, new JsonObject { ["causes"] = causes });

    public static ApiStatusException Invalid(string kind, string name, string field, string problem) =>
        new((HttpStatusCode)422, "Invalid", $"{kind} \"{name}\" is invalid: {field}: {problem}",
            new JsonObject
            {
                ["name"] = name,
                ["kind"] = kind,
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = problem, ["field"] = field }),
            });

    /// <summary>
    /// apimachinery pkg/api/errors NewInvalid: <c>{Kind}[.{group}] "{name}" is invalid: {errors}</c>, the
    /// errors aggregated as apimachinery does (one as is, several as <c>[a, b]</c>, duplicates dropped),
    /// one cause per error in details.
    /// </summary>
    public static ApiStatusException Invalid(string group, string kind, string name, IReadOnlyList<FieldError> errors)
    {
        var aggregate = Aggregate(errors.Select(e => e.ToString()));
        var details = DetailsOf(group, kind, name);
        details["causes"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject { ["reason"] = e.Reason, ["message"] = e.Body, ["field"] = e.Field }).ToArray());
        var qualified = group.Length == 0 ? kind : $"{kind}.{group}";
        return new((HttpStatusCode)422, "Invalid", $"{qualified} {GoQuote(name)} is invalid: {aggregate}", details);
    }

    /// <summary>apimachinery util/errors aggregate.Error: distinct messages, one as is, several as <c>[a, b]</c>.</summary>
    public static string Aggregate(IEnumerable<string> messages)
    {
        var distinct = messages.Distinct(StringComparer.Ordinal).ToArray();
        return distinct.Length == 1 ? distinct[0] : $"[{string.Join(", ", distinct)}]";
    }

    /// <summary>422 without field details, as the server answers a JSON patch it cannot apply.</summary>
    public static ApiStatusException Unprocessable(string message) => new((HttpStatusCode)422, "Invalid", message);

    /// <summary>
    /// No token, or one the server does not know (or no longer accepts): k8s.io/apiserver
    /// pkg/endpoints/filters/authentication.go Unauthorized writes apierrors.NewUnauthorized("Unauthorized"),
    /// a Status without details.
    /// </summary>
    public static ApiStatusException Unauthorized() =>
        new(HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized", withDetails: false);

    /// <summary>
    /// An authorizer's refusal, as k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go
    /// ForbiddenStatusError words it (forbiddenMessage, HTML-sensitive characters escaped, then ": reason"),
    /// wrapped by apimachinery's NewForbidden: <c>{resource}[.{group}] ["{name}"] is forbidden: ...</c>, or
    /// <c>forbidden: ...</c> for a path; details carry the name, the group and the plural (never the subresource).
    /// </summary>
    public static ApiStatusException Forbidden(RequestAttributes attributes, string reason)
    {
        var user = GoQuote(attributes.User.Name);
        string message;
        if (!attributes.IsResourceRequest)
        {
            message = $"User {user} cannot {attributes.Verb} path {GoQuote(attributes.Path)}";
        }
        else
        {
            var resource = attributes.Subresource.Length > 0 ? $"{attributes.Resource}/{attributes.Subresource}" : attributes.Resource;
            message = $"User {user} cannot {attributes.Verb} resource {GoQuote(resource)} in API group {GoQuote(attributes.ApiGroup)} "
                + (attributes.Namespace.Length > 0 ? $"in the namespace {GoQuote(attributes.Namespace)}" : "at the cluster scope");
        }

        message = message.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
        if (reason.Length > 0)
        {
            message = $"{message}: {reason}";
        }

        return ForbiddenFor(attributes.ApiGroup, attributes.Resource, attributes.Name, message);
    }

    /// <summary>apimachinery pkg/api/errors NewForbidden: the qualified resource and name before "is forbidden".</summary>
    public static ApiStatusException ForbiddenFor(string group, string resource, string name, string cause)
    {
        var groupResource = group.Length == 0 ? resource : $"{resource}.{group}";
        var message = groupResource.Length == 0 ? $"forbidden: {cause}"
            : name.Length == 0 ? $"{groupResource} is forbidden: {cause}"
            : $"{groupResource} {GoQuote(name)} is forbidden: {cause}";
        return new(HttpStatusCode.Forbidden, "Forbidden", message, DetailsOf(group, resource, name));
    }

    /// <summary>The same error with another reason and code, and one more cause in its details (as the ValidatingAdmissionPolicy dispatcher rewrites a Forbidden).</summary>
    public ApiStatusException WithReason(string reason, HttpStatusCode code, JsonObject cause)
    {
        var details = (JsonObject?)Details?.DeepClone() ?? [];
        var causes = details["causes"] as JsonArray ?? [];
        causes.Add(cause);
        details["causes"] = causes;
        return new(code, reason, Message, details);
    }

    /// <summary>A string as Go's %q prints it: <see cref="GoString.Quote"/>.</summary>
    public static string GoQuote(string text) => GoString.Quote(text);

    public static ApiStatusException BadRequest(string message) => new(HttpStatusCode.BadRequest, "BadRequest", message);

    public static ApiStatusException MethodNotAllowed(string method) =>
        new(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", $"the server does not allow this method on the requested resource ({method})");

    public static ApiStatusException UnsupportedMediaType(string? contentType) =>
        new(HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType",
            $"the body of the request was in an unknown format ({contentType}) - the fake Kubernetes API accepts application/json and application/yaml bodies, and the patch types application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json");

    /// <summary>apimachinery NewServiceUnavailable: 503, no details.</summary>
    public static ApiStatusException ServiceUnavailable(string message) =>
        new(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", message, withDetails: false);

    public static ApiStatusException Gone(string message) => new(HttpStatusCode.Gone, "Expired", message);

    /// <summary>An error a test injected; the reason is the one the real server uses for that code.</summary>
    public static ApiStatusException Injected(HttpStatusCode code, string? message) =>
        new(code, ReasonFor(code), message ?? $"injected fault: {(int)code} {ReasonFor(code)}");

    public JsonObject ToStatus()
    {
        // metav1.Status field order (apimachinery pkg/apis/meta/v1/types.go): details is omitempty.
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (Details is not null)
        {
            status["details"] = Details.DeepClone();
        }

        status["code"] = (int)Code;
        return status;
    }

    private static JsonObject DetailsOf(ResourceType type, string name) => DetailsOf(type.Group, type.Plural, name);

    /// <summary>metav1.StatusDetails as JSON: name, group, kind, each left out when empty (omitempty).</summary>
    private static JsonObject DetailsOf(string group, string kind, string name)
    {
        var details = new JsonObject();
        if (name.Length > 0)
        {
            details["name"] = name;
        }

        if (group.Length > 0)
        {
            details["group"] = group;
        }

        if (kind.Length > 0)
        {
            details["kind"] = kind;
        }

        return details;
    }

    private static string ReasonFor(HttpStatusCode code) => (int)code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        410 => "Expired",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    };
}
