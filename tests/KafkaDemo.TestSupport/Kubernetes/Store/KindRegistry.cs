using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The resources the fake serves: a fixed set of built-in kinds, plus custom resources learned from
/// CustomResourceDefinitions once they are established (as the real server starts serving them then).
/// Reads take an immutable snapshot, so no lock is needed to look a kind up.
/// </summary>
internal sealed class KindRegistry
{
    private static readonly ResourceKind[] BuiltIns =
    [
        new(ResourceType.Namespaces, "Namespace", "namespace", Namespaced: false, HasStatus: true, TracksGeneration: false, ["ns"]),
        new(ResourceType.Pods, "Pod", "pod", Namespaced: true, HasStatus: true, TracksGeneration: false, ["po"], HasExec: true),
        new(ResourceType.ConfigMaps, "ConfigMap", "configmap", Namespaced: true, HasStatus: false, TracksGeneration: false, ["cm"]),
        new(ResourceType.Secrets, "Secret", "secret", Namespaced: true, HasStatus: false, TracksGeneration: false, []),
        new(ResourceType.ServiceAccounts, "ServiceAccount", "serviceaccount", Namespaced: true, HasStatus: false, TracksGeneration: false, ["sa"]),
        new(ResourceType.Services, "Service", "service", Namespaced: true, HasStatus: true, TracksGeneration: false, ["svc"]),
        new(ResourceType.Events, "Event", "event", Namespaced: true, HasStatus: false, TracksGeneration: false, ["ev"]),
        new(ResourceType.Deployments, "Deployment", "deployment", Namespaced: true, HasStatus: true, TracksGeneration: true, ["deploy"]),

        // kubernetes pkg/registry/discovery/endpointslice/strategy.go PrepareForUpdate: the generation is
        // bumped when anything but metadata changes; no status subresource, no short name.
        new(ResourceType.EndpointSlices, "EndpointSlice", "endpointslice", Namespaced: true, HasStatus: false, TracksGeneration: true, []),
        new(ResourceType.Roles, "Role", "role", Namespaced: true, HasStatus: false, TracksGeneration: false, []),
        new(ResourceType.RoleBindings, "RoleBinding", "rolebinding", Namespaced: true, HasStatus: false, TracksGeneration: false, []),
        new(ResourceType.ClusterRoles, "ClusterRole", "clusterrole", Namespaced: false, HasStatus: false, TracksGeneration: false, []),
        new(ResourceType.ClusterRoleBindings, "ClusterRoleBinding", "clusterrolebinding", Namespaced: false, HasStatus: false, TracksGeneration: false, []),
        new(ResourceType.CustomResourceDefinitions, "CustomResourceDefinition", "customresourcedefinition", Namespaced: false, HasStatus: true, TracksGeneration: true, ["crd", "crds"]),
        new(ResourceType.ValidatingAdmissionPolicies, "ValidatingAdmissionPolicy", "validatingadmissionpolicy", Namespaced: false, HasStatus: true, TracksGeneration: true, []),
        new(ResourceType.ValidatingAdmissionPolicyBindings, "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybinding", Namespaced: false, HasStatus: false, TracksGeneration: true, []),
    ];

    private readonly Lock gate = new();
    private Dictionary<string, IReadOnlyList<ResourceKind>> customByDefinition = [];
    private IReadOnlyList<ResourceKind> all = BuiltIns;

    /// <summary>Every served resource, built-in ones first.</summary>
    public IReadOnlyList<ResourceKind> All => Volatile.Read(ref all);

    public ResourceKind? Find(string group, string version, string plural) =>
        All.FirstOrDefault(k => k.Type.Group == group && k.Type.Version == version && k.Type.Plural == plural);

    public ResourceKind? Find(ResourceType type) => Find(type.Group, type.Version, type.Plural);

    /// <summary>The kind named by an object's <c>apiVersion</c> and <c>kind</c>.</summary>
    public ResourceKind? FindByKind(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        return All.FirstOrDefault(k => k.Type.Group == group && k.Type.Version == version && k.Kind == kind);
    }

    /// <summary>
    /// Serves (or stops serving) the custom resources of a definition: served versions of an established
    /// definition are served; a definition that is not established, or is gone, serves nothing.
    /// </summary>
    public void Learn(string definitionName, JsonObject? definition)
    {
        var kinds = definition is not null && IsEstablished(definition) ? KindsOf(definition) : [];
        lock (gate)
        {
            var next = new Dictionary<string, IReadOnlyList<ResourceKind>>(customByDefinition);
            if (kinds.Count == 0)
            {
                next.Remove(definitionName);
            }
            else
            {
                next[definitionName] = kinds;
            }

            customByDefinition = next;
            Volatile.Write(ref all, [.. BuiltIns, .. next.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value)]);
        }
    }

    private static bool IsEstablished(JsonObject definition) =>
        definition["status"]?["conditions"] is JsonArray conditions
        && conditions.Any(c => c?["type"]?.GetValue<string>() == "Established" && c["status"]?.GetValue<string>() == "True");

    /// <summary>The resource kinds a CustomResourceDefinition declares, one per served version.</summary>
    public static IReadOnlyList<ResourceKind> KindsOf(JsonObject definition)
    {
        var spec = definition["spec"] as JsonObject;
        var names = spec?["names"] as JsonObject;
        var group = spec?["group"]?.GetValue<string>();
        var plural = names?["plural"]?.GetValue<string>();
        var kind = names?["kind"]?.GetValue<string>();
        if (spec is null || names is null || group is null || plural is null || kind is null)
        {
            return [];
        }

        var singular = names["singular"]?.GetValue<string>() ?? kind.ToLowerInvariant();
        var shortNames = (names["shortNames"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToArray() ?? [];
        var namespaced = spec["scope"]?.GetValue<string>() != "Cluster";
        return (spec["versions"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(v => v["served"]?.GetValue<bool>() == true && v["name"] is not null)
            .Select(v => new ResourceKind(
                new ResourceType(group, v["name"]!.GetValue<string>(), plural),
                kind,
                singular,
                namespaced,
                HasStatus: v["subresources"]?["status"] is not null,
                TracksGeneration: true,
                shortNames))
            .ToArray();
    }
}
