using Microsoft.AspNetCore.Http;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>One request the fake received, as it arrived, and the status code it was answered with.</summary>
public sealed class RecordedRequest
{
    public required DateTimeOffset Time { get; init; }

    public required string Method { get; init; }

    /// <summary>The path, such as <c>/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkas/demo</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The raw query string, with its leading <c>?</c> (empty if none).</summary>
    public required string Query { get; init; }

    public string? ContentType { get; init; }

    /// <summary>The <c>fieldManager</c> query parameter, if given.</summary>
    public string? FieldManager { get; init; }

    public string? UserAgent { get; init; }

    /// <summary>
    /// Whom the request's bearer token authenticates as: <see cref="UserInfo.Admin"/> for the token of the
    /// kubeconfig the fake writes, a service account for a token it issued; null for no token or an unknown one.
    /// </summary>
    public UserInfo? Identity { get; init; }

    /// <summary>The user name of <see cref="Identity"/>: <c>system:admin</c>, <c>system:serviceaccount:{ns}:{name}</c>, or null.</summary>
    public string? User => Identity?.Name;

    /// <summary>The request body as text (null for requests without one).</summary>
    public string? Body { get; init; }

    /// <summary>The status code answered (101 for an exec); null while the request is still being answered, as a watch or an exec is until it ends.</summary>
    public int? StatusCode { get; internal set; }

    /// <summary>The values of one query parameter, decoded, in order.</summary>
    public IReadOnlyList<string> QueryValues(string name) =>
        QueryString.HasValue ? [.. Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Query).GetValueOrDefault(name).Select(v => v ?? "")] : [];

    private QueryString QueryString => new(Query.Length == 0 ? null : Query);

    public override string ToString() => $"{Method} {Path}{Query} -> {StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "..."}";
}
