using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The discovery documents (legacy, unaggregated form, which kubectl and client-go fall back to):
/// <c>/version</c>, <c>/api</c>, <c>/api/v1</c>, <c>/apis</c>, <c>/apis/{group}</c> and
/// <c>/apis/{group}/{version}</c>, all derived from the served kinds.
/// </summary>
internal static partial class DiscoveryDocuments
{
    private static readonly string[] ResourceVerbs = ["create", "delete", "get", "list", "patch", "update", "watch"];

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0+fake",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-01-01T00:00:00Z",
        ["goVersion"] = "go1.23.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    /// <summary>The document for a discovery path, or null if the path is not one.</summary>
    public static JsonObject? For(string path, IReadOnlyList<ResourceKind> kinds, string serverAddress)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            ["version"] => Version(),
            ["api"] => new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
            },
            ["api", "v1"] => ResourceList("", "v1", kinds),
            ["apis"] => new JsonObject
            {
                ["kind"] = "APIGroupList",
                ["apiVersion"] = "v1",
                ["groups"] = new JsonArray(Groups(kinds).Select(g => (JsonNode)Group(g.Name, g.Versions)).ToArray()),
            },
            ["apis", var group] => Groups(kinds).FirstOrDefault(g => g.Name == group) is { Name: not null } found ? Group(found.Name, found.Versions) : null,
            ["apis", var group, var version] => kinds.Any(k => k.Type.Group == group && k.Type.Version == version) ? ResourceList(group, version, kinds) : null,
            _ => null,
        };
    }

    private static IEnumerable<(string Name, IReadOnlyList<string> Versions)> Groups(IReadOnlyList<ResourceKind> kinds) =>
        kinds.Where(k => k.Type.Group.Length > 0)
            .GroupBy(k => k.Type.Group)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(k => k.Type.Version).Distinct().OrderBy(v => v, VersionPriority.Instance).ToArray()));

    private static JsonObject Group(string name, IReadOnlyList<string> versions)
    {
        JsonObject Entry(string version) => new() { ["groupVersion"] = $"{name}/{version}", ["version"] = version };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = name,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode)Entry(v)).ToArray()),
            ["preferredVersion"] = Entry(versions[0]),
        };
    }

    private static JsonObject ResourceList(string group, string version, IReadOnlyList<ResourceKind> kinds)
    {
        var resources = new JsonArray();
        foreach (var kind in kinds.Where(k => k.Type.Group == group && k.Type.Version == version))
        {
            var resource = new JsonObject
            {
                ["name"] = kind.Type.Plural,
                ["singularName"] = kind.Singular,
                ["namespaced"] = kind.Namespaced,
                ["kind"] = kind.Kind,
                ["verbs"] = new JsonArray(ResourceVerbs.Select(v => (JsonNode)v).ToArray()),
            };
            if (kind.ShortNames.Count > 0)
            {
                resource["shortNames"] = new JsonArray(kind.ShortNames.Select(n => (JsonNode)n).ToArray());
            }

            resources.Add(resource);
            if (kind.HasStatus)
            {
                resources.Add(Subresource(kind, "status", kind.Kind, ["get", "patch", "update"]));
            }

            if (kind.HasExec)
            {
                resources.Add(Subresource(kind, "exec", "PodExecOptions", ["create", "get"]));
            }

            if (kind.Type == ResourceType.Pods)
            {
                resources.Add(Subresource(kind, "proxy", "PodProxyOptions", ["create", "delete", "get", "patch", "update"]));
            }

            if (kind.Type == ResourceType.Pods)
            {
                resources.Add(Subresource(kind, "log", "Pod", ["get"]));
            }

            if (kind.Type == ResourceType.Deployments)
            {
                // The scale client (client-go scale.NewDiscoveryScaleKindResolver) reads the Scale's group and version here.
                var scale = Subresource(kind, "scale", "Scale", ["get", "patch", "update"]);
                scale["group"] = "autoscaling";
                scale["version"] = "v1";
                resources.Add(scale);
            }

            if (kind.Type == ResourceType.ServiceAccounts)
            {
                var token = Subresource(kind, "token", "TokenRequest", ["create"]);
                token["group"] = "authentication.k8s.io";
                token["version"] = "v1";
                resources.Add(token);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static JsonObject Subresource(ResourceKind kind, string name, string subresourceKind, string[] verbs) => new()
    {
        ["name"] = $"{kind.Type.Plural}/{name}",
        ["singularName"] = "",
        ["namespaced"] = kind.Namespaced,
        ["kind"] = subresourceKind,
        ["verbs"] = new JsonArray(verbs.Select(v => (JsonNode)v).ToArray()),
    };

    /// <summary>Kubernetes' version order: GA before beta before alpha, higher numbers first, others last by name.</summary>
    internal sealed partial class VersionPriority : IComparer<string>
    {
        public static VersionPriority Instance { get; } = new();

        public int Compare(string? x, string? y)
        {
            var (left, right) = (Rank(x ?? ""), Rank(y ?? ""));
            var byRank = left.CompareTo(right);
            return byRank != 0 ? byRank : string.CompareOrdinal(x, y);
        }

        /// <summary>Lower sorts first.</summary>
        private static (int Stability, int Major, int Minor) Rank(string version)
        {
            var match = KubeVersion().Match(version);
            if (!match.Success)
            {
                return (3, 0, 0);
            }

            var major = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var minor = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
            var stability = match.Groups[2].Value switch { "" => 0, "beta" => 1, _ => 2 };
            return (stability, -major, -minor);
        }

        [GeneratedRegex("^v([0-9]+)(?:(alpha|beta)([0-9]+))?$")]
        private static partial Regex KubeVersion();
    }
}
