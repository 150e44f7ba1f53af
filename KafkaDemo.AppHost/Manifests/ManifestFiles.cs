using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Kubernetes;

namespace KafkaDemo.AppHost.Manifests;

/// <summary>
/// The files under the repository's <c>k3d/</c> and <c>deploy/</c> folders, built into the AppHost, so
/// what it applies is exactly what <c>kubectl apply -k k3d/kafka</c> (or <c>deploy/load</c>) would,
/// before the settings are applied.
/// </summary>
public static class ManifestFiles
{
    private static readonly System.Reflection.Assembly Assembly = typeof(ManifestFiles).Assembly;

    /// <summary>Every file, by its path under the repository root ("k3d/kafka/kafka.yaml").</summary>
    public static IReadOnlyList<string> Paths { get; } =
        [.. Assembly.GetManifestResourceNames().Select(n => n.Replace('\\', '/')).Where(n => n.StartsWith("k3d/", StringComparison.Ordinal) || n.StartsWith("deploy/", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    public static string Read(string path)
    {
        var name = Assembly.GetManifestResourceNames().FirstOrDefault(n => n.Replace('\\', '/') == path)
            ?? throw new FileNotFoundException($"{path} is not built into the AppHost.", path);
        using var stream = Assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The documents of one file as JSON objects.</summary>
    public static IReadOnlyList<JsonObject> Objects(string path) => YamlDocuments.Parse(Read(path), path);

    /// <summary>
    /// What <c>kubectl kustomize &lt;folder&gt;</c> gives for our kustomizations: each file listed under
    /// <c>resources</c>, in order, with the kustomization's <c>namespace</c> set on every object
    /// (these kustomizations use nothing else).
    /// </summary>
    public static IReadOnlyList<JsonObject> Kustomize(string folder)
    {
        var kustomization = Objects($"{folder}/kustomization.yaml").Single();
        var unsupported = kustomization.Select(p => p.Key).Except(["apiVersion", "kind", "namespace", "resources"]).ToList();
        if (unsupported.Count > 0)
        {
            throw new InvalidOperationException($"{folder}/kustomization.yaml uses {string.Join(", ", unsupported)}, which the AppHost does not render.");
        }

        var ns = (string?)kustomization["namespace"];
        var objects = new List<JsonObject>();
        foreach (var file in kustomization["resources"]?.AsArray().Select(r => (string)r!) ?? [])
        {
            foreach (var item in Objects($"{folder}/{file}"))
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
}
