using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The API server's authorizers for what the fake serves: members of <c>system:masters</c> may do
/// anything (kube-apiserver puts authorizerfactory.NewPrivilegedGroups(user.SystemPrivilegedGroup) before
/// the configured modes, k8s.io/apiserver pkg/authorization/authorizerfactory/builtin.go), everyone else
/// is judged by RBAC over the stored Roles, ClusterRoles, RoleBindings and ClusterRoleBindings plus the
/// <see cref="BootstrapPolicy"/> (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go Authorize and
/// RuleAllows, pkg/registry/rbac/validation/rule.go VisitRulesFor and appliesToUser,
/// pkg/apis/rbac/v1/evaluation_helpers.go for the matching). The first rule that allows wins; with none,
/// the reason names the roles that could not be resolved (<c>RBAC: role.rbac.authorization.k8s.io "x" not found</c>).
/// k3s runs Node,RBAC; the Node authorizer has no opinion on users that are not nodes, so RBAC's reason is the answer's.
/// </summary>
internal sealed class RbacAuthorizer(ObjectStore store)
{
    private const string PrivilegedGroup = "system:masters";

    /// <summary>Refuses the request with the API server's 403 unless it is allowed.</summary>
    public void Require(RequestAttributes attributes)
    {
        var (allowed, reason) = Authorize(attributes);
        if (!allowed)
        {
            throw ApiStatusException.Forbidden(attributes, reason);
        }
    }

    public (bool Allowed, string Reason) Authorize(RequestAttributes attributes)
    {
        if (attributes.User.Groups.Contains(PrivilegedGroup))
        {
            return (true, "");
        }

        var errors = new List<string>();

        // VisitRulesFor: every ClusterRoleBinding first, whatever the namespace...
        foreach (var binding in Effective(ResourceType.ClusterRoleBindings, null, BootstrapPolicy.ClusterRoleBindings))
        {
            if (AppliesTo(binding, attributes.User, bindingNamespace: "") && Allows(binding, bindingNamespace: "", attributes, errors))
            {
                return (true, "");
            }
        }

        // ...then the RoleBindings of the request's namespace.
        if (attributes.Namespace.Length > 0)
        {
            foreach (var binding in store.List(ResourceType.RoleBindings.Group, ResourceType.RoleBindings.Plural, attributes.Namespace).Items)
            {
                if (AppliesTo(binding, attributes.User, attributes.Namespace) && Allows(binding, attributes.Namespace, attributes, errors))
                {
                    return (true, "");
                }
            }
        }

        return (false, errors.Count == 0 ? "" : "RBAC: " + ApiStatusException.Aggregate(errors));
    }

    /// <summary>Stored objects of a cluster-scoped RBAC kind, plus the bootstrap ones no stored object replaces, by name.</summary>
    private IEnumerable<JsonObject> Effective(ResourceType type, string? name, IReadOnlyDictionary<string, JsonObject> bootstrap)
    {
        var stored = store.List(type.Group, type.Plural, null).Items.Where(o => name is null || JsonFields.Text(o, "metadata", "name") == name).ToList();
        var storedNames = stored.Select(o => JsonFields.Text(o, "metadata", "name")).ToHashSet(StringComparer.Ordinal);
        return stored.Concat(bootstrap.Where(p => (name is null || p.Key == name) && !storedNames.Contains(p.Key)).Select(p => p.Value))
            .OrderBy(o => JsonFields.Text(o, "metadata", "name"), StringComparer.Ordinal);
    }

    private bool Allows(JsonObject binding, string bindingNamespace, RequestAttributes attributes, List<string> errors)
    {
        var rules = RulesOf(binding["roleRef"] as JsonObject, bindingNamespace, out var error);
        if (error is not null)
        {
            errors.Add(error);
            return false;
        }

        return rules.Any(rule => RuleAllows(rule, attributes));
    }

    /// <summary>rule.go GetRoleReferenceRules: a Role in the binding's namespace, or a ClusterRole.</summary>
    private JsonObject[] RulesOf(JsonObject? roleRef, string bindingNamespace, out string? error)
    {
        error = null;
        var kind = JsonFields.Text(roleRef, "kind");
        var name = JsonFields.Text(roleRef, "name") ?? "";
        JsonObject? role;
        switch (kind)
        {
            case "Role":
                // A ClusterRoleBinding's Role would be looked up in namespace "", where none is.
                role = bindingNamespace.Length > 0 ? store.Get(ObjectKey.Of(ResourceType.Roles, bindingNamespace, name)) : null;
                if (role is null)
                {
                    error = $"role.rbac.authorization.k8s.io \"{name}\" not found";
                    return [];
                }

                break;
            case "ClusterRole":
                role = Effective(ResourceType.ClusterRoles, name, BootstrapPolicy.ClusterRoles).FirstOrDefault();
                if (role is null)
                {
                    error = $"clusterrole.rbac.authorization.k8s.io \"{name}\" not found";
                    return [];
                }

                break;
            default:
                error = $"unsupported role reference kind: \"{kind}\"";
                return [];
        }

        return (role["rules"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
    }

    /// <summary>rule.go appliesToUser, over the binding's subjects.</summary>
    private static bool AppliesTo(JsonObject binding, UserInfo user, string bindingNamespace) =>
        (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>().Any(subject =>
        {
            var name = JsonFields.Text(subject, "name") ?? "";
            switch (JsonFields.Text(subject, "kind"))
            {
                case "User":
                    return user.Name == name;
                case "Group":
                    return user.Groups.Contains(name);
                case "ServiceAccount":
                    // A subject without a namespace takes the binding's; in a ClusterRoleBinding that is none, and it matches nobody.
                    var saNamespace = JsonFields.Text(subject, "namespace") is { Length: > 0 } given ? given : bindingNamespace;
                    return saNamespace.Length > 0 && user.Name == new ServiceAccountRef(saNamespace, name).UserName;
                default:
                    return false;
            }
        });

    /// <summary>rbac.go RuleAllows with evaluation_helpers.go's matchers.</summary>
    private static bool RuleAllows(JsonObject rule, RequestAttributes attributes)
    {
        var verbs = JsonFields.Strings(rule, "verbs");
        if (!verbs.Any(v => v == "*" || v == attributes.Verb))
        {
            return false;
        }

        if (!attributes.IsResourceRequest)
        {
            // NonResourceURLMatches: "*", an exact path, or a prefix ending in "*".
            return JsonFields.Strings(rule, "nonResourceURLs").Any(url =>
                url == "*" || url == attributes.Path || (url.EndsWith('*') && attributes.Path.StartsWith(url.TrimEnd('*'), StringComparison.Ordinal)));
        }

        var combined = attributes.Subresource.Length > 0 ? $"{attributes.Resource}/{attributes.Subresource}" : attributes.Resource;
        var resourceNames = JsonFields.Strings(rule, "resourceNames");
        return JsonFields.Strings(rule, "apiGroups").Any(g => g == "*" || g == attributes.ApiGroup)
            && JsonFields.Strings(rule, "resources").Any(r => ResourceMatches(r, combined, attributes.Subresource))
            && (resourceNames.Length == 0 || resourceNames.Contains(attributes.Name));
    }

    /// <summary>
    /// evaluation_helpers.go ResourceMatches: "*" matches everything, subresources included; otherwise the
    /// exact <c>resource</c> or <c>resource/subresource</c>, or <c>*/subresource</c> for any resource's
    /// subresource. <c>pods/*</c> is no wildcard, and <c>pods</c> does not match <c>pods/exec</c>.
    /// </summary>
    private static bool ResourceMatches(string rule, string combined, string subresource) =>
        rule == "*" || rule == combined
        || (subresource.Length > 0 && rule.Length == subresource.Length + 2 && rule.StartsWith("*/", StringComparison.Ordinal) && rule.EndsWith(subresource, StringComparison.Ordinal));
}
