namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A resource as the API names it in its URLs: group ("" for the core group), version and plural,
/// for example <c>("kafka.strimzi.io", "v1", "kafkas")</c>.
/// </summary>
public sealed record ResourceType(string Group, string Version, string Plural)
{
    public static ResourceType Namespaces { get; } = new("", "v1", "namespaces");
    public static ResourceType Pods { get; } = new("", "v1", "pods");
    public static ResourceType ConfigMaps { get; } = new("", "v1", "configmaps");
    public static ResourceType Secrets { get; } = new("", "v1", "secrets");
    public static ResourceType ServiceAccounts { get; } = new("", "v1", "serviceaccounts");
    public static ResourceType Services { get; } = new("", "v1", "services");
    public static ResourceType Events { get; } = new("", "v1", "events");
    public static ResourceType Deployments { get; } = new("apps", "v1", "deployments");
    public static ResourceType EndpointSlices { get; } = new("discovery.k8s.io", "v1", "endpointslices");
    public static ResourceType Roles { get; } = new("rbac.authorization.k8s.io", "v1", "roles");
    public static ResourceType RoleBindings { get; } = new("rbac.authorization.k8s.io", "v1", "rolebindings");
    public static ResourceType ClusterRoles { get; } = new("rbac.authorization.k8s.io", "v1", "clusterroles");
    public static ResourceType ClusterRoleBindings { get; } = new("rbac.authorization.k8s.io", "v1", "clusterrolebindings");
    public static ResourceType CustomResourceDefinitions { get; } = new("apiextensions.k8s.io", "v1", "customresourcedefinitions");
    public static ResourceType ValidatingAdmissionPolicies { get; } = new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies");
    public static ResourceType ValidatingAdmissionPolicyBindings { get; } = new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings");

    /// <summary>"v1" for the core group, "group/version" otherwise, as in an object's <c>apiVersion</c>.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>"plural" or "plural.group", as the API server names a resource in its error messages.</summary>
    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public override string ToString() => $"{GroupResource} ({ApiVersion})";
}
