using System.Text.Json.Nodes;

namespace KafkaDemo.AppHost.Kubernetes;

/// <summary>Where the API serves one kind of object.</summary>
/// <param name="Group">The API group; empty for the core group.</param>
/// <param name="Version">The API version within the group.</param>
/// <param name="Plural">The resource name in URLs.</param>
/// <param name="Namespaced">Whether objects live in a namespace.</param>
public sealed record ApiKind(string Group, string Version, string Plural, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}

/// <summary>
/// The kinds KafkaDemo applies: the Strimzi operator's install set, the Kafka custom resources and
/// the agent's objects. A manifest with any other kind is refused with its name, instead of
/// guessing its URL.
/// </summary>
public static class ApiKinds
{
    public const string StrimziGroup = "kafka.strimzi.io";

    public static readonly ApiKind Kafka = new(StrimziGroup, "v1", "kafkas", true);
    public static readonly ApiKind KafkaNodePool = new(StrimziGroup, "v1", "kafkanodepools", true);
    public static readonly ApiKind KafkaTopic = new(StrimziGroup, "v1", "kafkatopics", true);
    public static readonly ApiKind StrimziPodSet = new("core.strimzi.io", "v1", "strimzipodsets", true);
    public static readonly ApiKind CustomResourceDefinition = new("apiextensions.k8s.io", "v1", "customresourcedefinitions", false);
    public static readonly ApiKind Deployment = new("apps", "v1", "deployments", true);
    public static readonly ApiKind Namespace = new("", "v1", "namespaces", false);
    public static readonly ApiKind Pod = new("", "v1", "pods", true);
    public static readonly ApiKind Secret = new("", "v1", "secrets", true);
    public static readonly ApiKind ValidatingAdmissionPolicy = new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", false);
    public static readonly ApiKind ValidatingAdmissionPolicyBinding = new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", false);

    private static readonly Dictionary<(string ApiVersion, string Kind), ApiKind> Known = new()
    {
        [("v1", "Namespace")] = Namespace,
        [("v1", "ServiceAccount")] = new("", "v1", "serviceaccounts", true),
        [("v1", "ConfigMap")] = new("", "v1", "configmaps", true),
        [("v1", "Secret")] = Secret,
        [("v1", "Service")] = new("", "v1", "services", true),
        [("v1", "Pod")] = Pod,
        [("apps/v1", "Deployment")] = Deployment,
        [("rbac.authorization.k8s.io/v1", "Role")] = new("rbac.authorization.k8s.io", "v1", "roles", true),
        [("rbac.authorization.k8s.io/v1", "RoleBinding")] = new("rbac.authorization.k8s.io", "v1", "rolebindings", true),
        [("rbac.authorization.k8s.io/v1", "ClusterRole")] = new("rbac.authorization.k8s.io", "v1", "clusterroles", false),
        [("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")] = new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", false),
        [("apiextensions.k8s.io/v1", "CustomResourceDefinition")] = CustomResourceDefinition,
        [("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy")] = ValidatingAdmissionPolicy,
        [("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding")] = ValidatingAdmissionPolicyBinding,
        [("kafka.strimzi.io/v1", "Kafka")] = Kafka,
        [("kafka.strimzi.io/v1", "KafkaNodePool")] = KafkaNodePool,
        [("kafka.strimzi.io/v1", "KafkaTopic")] = KafkaTopic,
    };

    /// <exception cref="InvalidOperationException">The object's kind is not one KafkaDemo applies.</exception>
    public static ApiKind Of(JsonObject manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var apiVersion = (string?)manifest["apiVersion"] ?? "";
        var kind = (string?)manifest["kind"] ?? "";
        return Known.TryGetValue((apiVersion, kind), out var found)
            ? found
            : throw new InvalidOperationException($"KafkaDemo does not apply objects of kind {kind} ({apiVersion}): {manifest.Describe()}.");
    }

    /// <summary>"Kind namespace/name" for messages.</summary>
    public static string Describe(this JsonObject manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var ns = (string?)manifest["metadata"]?["namespace"];
        var name = (string?)manifest["metadata"]?["name"] ?? "(no name)";
        return $"{(string?)manifest["kind"]} {(ns is null ? name : $"{ns}/{name}")}";
    }
}
