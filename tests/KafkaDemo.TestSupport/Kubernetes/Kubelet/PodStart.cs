using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// What the kubelet knows when it starts a pod's containers: the pod as it is then, where it runs
/// (node, host and pod IP), whom it runs as, the service variables, and read access to the objects
/// of the pod's namespace as they are at that moment.
/// </summary>
internal sealed record PodStart(
    JsonObject Pod,
    string NodeName,
    string HostIP,
    string PodIP,
    ServiceAccountRef ServiceAccount,
    IReadOnlyDictionary<string, string> ServiceEnvironment,
    Func<ResourceType, string, JsonObject?> Read,
    Func<string> IssueToken)
{
    public string Namespace => JsonFields.Text(Pod, "metadata", "namespace") ?? "";

    public string PodName => JsonFields.Text(Pod, "metadata", "name") ?? "";

    public string PodUid => JsonFields.Text(Pod, "metadata", "uid") ?? "";

    /// <summary>The pod's hostname: <c>spec.hostname</c>, else its name cut to 63 characters (kubelet GeneratePodHostNameAndDomain).</summary>
    public string Hostname => JsonFields.Text(Pod, "spec", "hostname") is { Length: > 0 } hostname
        ? hostname
        : PodName.Length > 63 ? PodName[..63].TrimEnd('-', '.') : PodName;

    /// <summary>The pod's service account: <c>spec.serviceAccountName</c>, else "default".</summary>
    public static ServiceAccountRef ServiceAccountOf(JsonObject pod) => new(
        JsonFields.Text(pod, "metadata", "namespace") ?? "",
        JsonFields.Text(pod, "spec", "serviceAccountName") is { Length: > 0 } name ? name : "default");
}
