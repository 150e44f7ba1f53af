using Microsoft.AspNetCore.Http;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>One request the fake received, as it arrived, and the status code it was answered with.</summary>
public sealed class RecordedRequest
{
    private readonly Lock gate = new();
    private readonly List<string> warnings = [];
    private readonly Dictionary<string, string> annotations = new(StringComparer.Ordinal);

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

    /// <summary>
    /// The texts of the <c>Warning: 299 - "..."</c> headers of the answer, in order (what kubectl prints after
    /// "Warning: "), such as a ValidatingAdmissionPolicy binding with the Warn action adds.
    /// </summary>
    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (gate)
            {
                return [.. warnings];
            }
        }
    }

    /// <summary>
    /// The audit annotations the request got, as the API server's audit log would show them: for example
    /// <c>validation.policy.admission.k8s.io/validation_failure</c> from a binding with the Audit action,
    /// or <c>{policy}/{key}</c> from a policy's auditAnnotations.
    /// </summary>
    public IReadOnlyDictionary<string, string> AuditAnnotations
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, string>(annotations, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>k8s.io/apiserver pkg/warning: a warning is sent once however often it is added.</summary>
    internal void AddWarning(string text)
    {
        lock (gate)
        {
            if (!warnings.Contains(text))
            {
                warnings.Add(text);
            }
        }
    }

    /// <summary>admission attributesRecord.AddAnnotation: the first value of a key stays (a different one is refused).</summary>
    internal void AddAuditAnnotation(string key, string value)
    {
        lock (gate)
        {
            annotations.TryAdd(key, value);
        }
    }

    /// <summary>The values of one query parameter, decoded, in order.</summary>
    public IReadOnlyList<string> QueryValues(string name) =>
        QueryString.HasValue ? [.. Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Query).GetValueOrDefault(name).Select(v => v ?? "")] : [];

    private QueryString QueryString => new(Query.Length == 0 ? null : Query);

    public override string ToString() => $"{Method} {Path}{Query} -> {StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "..."}";
}
