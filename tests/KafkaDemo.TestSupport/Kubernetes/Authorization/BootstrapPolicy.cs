using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The ClusterRoles and ClusterRoleBindings every cluster has from its first start (the API server's
/// RBAC bootstrap, k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go
/// ClusterRoles and ClusterRoleBindings), of which the fake keeps those that decide what any
/// authenticated user may do: discovery (<c>system:discovery</c>), the public version and health paths
/// (<c>system:public-info-viewer</c>), the self reviews (<c>system:basic-user</c>), the service account
/// issuer documents (<c>system:service-account-issuer-discovery</c>) and <c>cluster-admin</c>. They are
/// not stored (a list of ClusterRoles does not show them); a stored object of the same name replaces one.
/// </summary>
internal static class BootstrapPolicy
{
    public static IReadOnlyDictionary<string, JsonObject> ClusterRoles { get; } = new Dictionary<string, JsonObject>(StringComparer.Ordinal)
    {
        ["cluster-admin"] = ClusterRole("cluster-admin", """
            [{"verbs":["*"],"apiGroups":["*"],"resources":["*"]},{"verbs":["*"],"nonResourceURLs":["*"]}]
            """),
        ["system:discovery"] = ClusterRole("system:discovery", """
            [{"verbs":["get"],"nonResourceURLs":["/api","/api/*","/apis","/apis/*","/healthz","/livez","/openapi","/openapi/*","/readyz","/version","/version/"]}]
            """),
        ["system:public-info-viewer"] = ClusterRole("system:public-info-viewer", """
            [{"verbs":["get"],"nonResourceURLs":["/healthz","/livez","/readyz","/version","/version/"]}]
            """),
        ["system:basic-user"] = ClusterRole("system:basic-user", """
            [{"verbs":["create"],"apiGroups":["authorization.k8s.io"],"resources":["selfsubjectaccessreviews","selfsubjectrulesreviews"]},
             {"verbs":["create"],"apiGroups":["authentication.k8s.io"],"resources":["selfsubjectreviews"]}]
            """),
        ["system:service-account-issuer-discovery"] = ClusterRole("system:service-account-issuer-discovery", """
            [{"verbs":["get"],"nonResourceURLs":["/.well-known/openid-configuration","/.well-known/openid-configuration/","/openid/v1/jwks","/openid/v1/jwks/"]}]
            """),
    };

    public static IReadOnlyDictionary<string, JsonObject> ClusterRoleBindings { get; } = new Dictionary<string, JsonObject>(StringComparer.Ordinal)
    {
        ["cluster-admin"] = Binding("cluster-admin", "system:masters"),
        ["system:discovery"] = Binding("system:discovery", UserInfo.AuthenticatedGroup),
        ["system:basic-user"] = Binding("system:basic-user", UserInfo.AuthenticatedGroup),
        ["system:public-info-viewer"] = Binding("system:public-info-viewer", UserInfo.AuthenticatedGroup, "system:unauthenticated"),
        ["system:service-account-issuer-discovery"] = Binding("system:service-account-issuer-discovery", "system:serviceaccounts"),
    };

    private static JsonObject ClusterRole(string name, string rules) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "ClusterRole",
        ["metadata"] = Metadata(name),
        ["rules"] = JsonNode.Parse(rules),
    };

    private static JsonObject Binding(string name, params string[] groups) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "ClusterRoleBinding",
        ["metadata"] = Metadata(name),
        ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = name },
        ["subjects"] = new JsonArray(groups.Select(g => (JsonNode)new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Group", ["name"] = g }).ToArray()),
    };

    private static JsonObject Metadata(string name) => new()
    {
        ["name"] = name,
        ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
        ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
    };
}
