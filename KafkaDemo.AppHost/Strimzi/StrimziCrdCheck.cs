using System.Net;
using System.Text.Json.Nodes;
using k8s.Autorest;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Settings;

namespace KafkaDemo.AppHost.Strimzi;

/// <summary>
/// Whether a cluster the AppHost did not make runs Strimzi as the demo needs it: the
/// CustomResourceDefinitions of the kinds it reads (Kafka, KafkaNodePool, KafkaTopic) are there
/// (GET apiextensions.k8s.io/v1 customresourcedefinitions/&lt;name&gt;), Established, and serve
/// <c>kafka.strimzi.io/v1</c>, the version Strimzi 1.2.0 serves and stores (040-Crd-kafka.yaml @1.2.0:
/// versions[0] name v1, served, storage). It installs nothing.
/// </summary>
public static class StrimziCrdCheck
{
    /// <summary>The CRDs of the kinds the demo reads, by name (plural.group).</summary>
    public static readonly IReadOnlyList<ApiKind> Kinds = [ApiKinds.Kafka, ApiKinds.KafkaNodePool, ApiKinds.KafkaTopic];

    /// <summary>Where Strimzi's release is, for the message that asks to install it.</summary>
    public static string InstallHint =>
        $"install Strimzi {K3dSettings.StrimziVersion} (https://github.com/strimzi/strimzi-kafka-operator/releases/tag/{K3dSettings.StrimziVersion}: "
        + $"strimzi-cluster-operator-{K3dSettings.StrimziVersion}.yaml, or its Helm chart) in the cluster, or use KafkaDemo:Mode=k3d, which installs it in a cluster of its own";

    /// <summary>The CRD's name: plural.group, as the API server names it.</summary>
    public static string CrdName(ApiKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return $"{kind.Plural}.{kind.Group}";
    }

    /// <summary>Reads each CRD; returns the names checked.</summary>
    /// <param name="where">The cluster in words, for messages ("context kind-demo").</param>
    /// <exception cref="ClusterSetupException">A CRD is missing, not Established, or does not serve v1; or the user may not read CRDs.</exception>
    public static async Task<IReadOnlyList<string>> CheckAsync(KubernetesApi api, string where, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        var missing = new List<string>();
        var problems = new List<string>();
        foreach (var kind in Kinds)
        {
            var name = CrdName(kind);
            JsonObject? crd;
            try
            {
                crd = await api.GetAsync(ApiKinds.CustomResourceDefinition, null, name, cancellationToken);
            }
            catch (KubernetesApiException ex) when (ex.InnerException is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized })
            {
                throw new ClusterSetupException(
                    $"The AppHost cannot tell whether Strimzi's CRDs are installed in {where}: the kubeconfig's user may not read CustomResourceDefinitions ({ex.Message}).",
                    $"Grant it get on customresourcedefinitions.apiextensions.k8s.io (a ClusterRole and ClusterRoleBinding), or use a kubeconfig whose user may read them; kubectl auth can-i get customresourcedefinitions says which.",
                    ex);
            }

            if (crd is null)
            {
                missing.Add(name);
                continue;
            }

            if (Problem(crd, kind) is { } problem)
            {
                problems.Add($"{name} {problem}");
            }
        }

        if (missing.Count > 0)
        {
            throw new ClusterSetupException(
                $"Strimzi's CRDs are not installed in {where}: {string.Join(", ", missing)} missing.",
                char.ToUpperInvariant(InstallHint[0]) + InstallHint[1..] + ".");
        }

        if (problems.Count > 0)
        {
            throw new ClusterSetupException(
                $"Strimzi's CRDs in {where} are not as the demo needs them: {string.Join("; ", problems)}.",
                $"The demo uses {ApiKinds.Kafka.Group}/{ApiKinds.Kafka.Version}, which Strimzi 1.0 and later serve: upgrade Strimzi ({InstallHint}).");
        }

        return [.. Kinds.Select(CrdName)];
    }

    /// <summary>Why a CRD that exists will not do, or null: it must be Established and serve the version the demo uses.</summary>
    public static string? Problem(JsonObject crd, ApiKind kind)
    {
        ArgumentNullException.ThrowIfNull(crd);
        ArgumentNullException.ThrowIfNull(kind);
        var versions = crd["spec"]?["versions"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
        var served = versions.Where(v => (bool?)v["served"] == true).Select(v => (string?)v["name"]).ToList();
        if (!served.Contains(kind.Version))
        {
            return $"does not serve {kind.Version} (it serves {(served.Count == 0 ? "no version" : string.Join(", ", served))})";
        }

        var established = crd["status"]?["conditions"]?.AsArray().OfType<JsonObject>().LastOrDefault(c => (string?)c["type"] == "Established");
        return (string?)established?["status"] == "True" ? null : "is not Established (the API server does not serve its resources yet)";
    }
}
