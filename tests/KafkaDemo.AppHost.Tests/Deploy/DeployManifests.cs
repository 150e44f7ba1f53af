using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Tests.K3d;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.Deploy;

/// <summary>
/// The kustomizations under <c>deploy/</c> (the load, the Overseer), read from the repository the way
/// <c>kubectl kustomize</c> reads them, and KubernetesClient's models for every kind they hold.
/// </summary>
internal static class DeployManifests
{
    public const string Load = "deploy/load";

    public const string Overseer = "deploy/overseer";

    public static TheoryData<string> Folders => new() { Load, Overseer };

    /// <summary>KubernetesClient's model of each kind the kustomizations use; any other kind fails the tests.</summary>
    public static readonly IReadOnlyDictionary<(string ApiVersion, string Kind), Model> Models = new Dictionary<(string, string), Model>
    {
        [("v1", "Namespace")] = Model.Of<V1Namespace>(),
        [("v1", "ConfigMap")] = Model.Of<V1ConfigMap>(),
        [("v1", "Secret")] = Model.Of<V1Secret>(),
        [("v1", "Service")] = Model.Of<V1Service>(),
        [("v1", "ServiceAccount")] = Model.Of<V1ServiceAccount>(),
        [("apps/v1", "Deployment")] = Model.Of<V1Deployment>(),
        [("rbac.authorization.k8s.io/v1", "Role")] = Model.Of<V1Role>(),
        [("rbac.authorization.k8s.io/v1", "RoleBinding")] = Model.Of<V1RoleBinding>(),
        [("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy")] = Model.Of<V1ValidatingAdmissionPolicy>(),
        [("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding")] = Model.Of<V1ValidatingAdmissionPolicyBinding>(),
    };

    public static string FullPath(string relative) => Path.Combine(SharedReference.RepositoryRoot, relative);

    public static JsonObject Kustomization(string folder) =>
        YamlDocuments.Parse(File.ReadAllText(FullPath($"{folder}/kustomization.yaml")), $"{folder}/kustomization.yaml").Single();

    /// <summary>
    /// What <c>kubectl kustomize &lt;folder&gt;</c> gives for these kustomizations, in the files' order: each
    /// entry of <c>resources</c>, a file's documents or another kustomization's objects, with this
    /// kustomization's <c>namespace</c> on its namespaced objects. Anything else in a kustomization is refused.
    /// </summary>
    public static IReadOnlyList<JsonObject> Kustomize(string folder)
    {
        var kustomization = Kustomization(folder);
        var unsupported = kustomization.Select(p => p.Key).Except(["apiVersion", "kind", "namespace", "resources"]).ToList();
        Assert.True(unsupported.Count == 0, $"{folder}/kustomization.yaml uses {string.Join(", ", unsupported)}, which these tests do not render.");
        var ns = (string?)kustomization["namespace"];
        var objects = new List<JsonObject>();
        foreach (var resource in kustomization["resources"]!.AsArray().Select(r => (string)r!))
        {
            var path = Path.GetRelativePath(SharedReference.RepositoryRoot, Path.GetFullPath(Path.Combine(FullPath(folder), resource))).Replace('\\', '/');
            var items = Directory.Exists(FullPath(path)) ? Kustomize(path) : YamlDocuments.Parse(File.ReadAllText(FullPath(path)), path);
            foreach (var item in items)
            {
                if (ns is not null && ApiKinds.Of(item).Namespaced)
                {
                    ((JsonObject)item["metadata"]!)["namespace"] = ns;
                }

                objects.Add(item);
            }
        }

        return objects;
    }

    /// <summary>That <paramref name="item"/> has a model here, reads strictly into it, and survives the trip through it.</summary>
    public static void AssertReadsStrictly(JsonObject item)
    {
        var key = ((string)item["apiVersion"]!, (string)item["kind"]!);
        Assert.True(Models.TryGetValue(key, out var model), $"{item.Describe()}: no KubernetesClient model is checked for {key}.");
        var error = Record.Exception(() => model.ReadStrictly(YamlDocuments.Write(item)));
        Assert.True(error is null, $"{item.Describe()} does not read strictly: {error?.Message}");
        var difference = model.RoundTripDifference(item);
        Assert.True(difference is null, $"{item.Describe()} does not survive its model: {difference}");
    }

    public static IEnumerable<JsonObject> OfKind(this IEnumerable<JsonObject> objects, string kind) => objects.Where(o => (string?)o["kind"] == kind);

    public static JsonObject Named(this IEnumerable<JsonObject> objects, string kind, string name) =>
        objects.OfKind(kind).Single(o => (string?)o["metadata"]!["name"] == name);

    /// <summary>A Deployment's only container.</summary>
    public static JsonObject Container(this JsonObject deployment) => deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!.AsObject();

    /// <summary>
    /// The two strict readings of one kind: KubernetesYaml with <c>strict: true</c> (YamlDotNet without
    /// IgnoreUnmatchedProperties, so an unknown field throws), and the trip through the model and back
    /// (a value the model cannot hold comes back different).
    /// </summary>
    internal sealed record Model(Action<string> ReadStrictly, Func<JsonObject, string?> RoundTripDifference)
    {
        public static Model Of<T>() => new(yaml => KubernetesYaml.Deserialize<T>(yaml, strict: true), ManifestTests.RoundTripDifference<T>);
    }
}
