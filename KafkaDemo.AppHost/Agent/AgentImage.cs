using System.Text;
using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.Manifests;

namespace KafkaDemo.AppHost.Agent;

/// <summary>
/// The agent's container image: built from <c>k3d/agent/</c> and tagged with a hash of that folder,
/// so a changed Dockerfile or requirement gives a new tag, and an unchanged one is not rebuilt.
/// </summary>
public static class AgentImage
{
    public const string Folder = "k3d/agent";

    public const string Repository = "kafkademo-vibectl";

    /// <summary>Every file of the folder (path and content, line endings as LF) hashed: the image's tag.</summary>
    public static string Tag { get; } = ContainerImage.HashTag(Files().Select(p => (p, Encoding.UTF8.GetBytes(ManifestFiles.Read(p).ReplaceLineEndings("\n")))));

    public static string Reference => $"{Repository}:{Tag}";

    /// <summary>
    /// Writes the build context to <paramref name="directory"/>: the folder's files but its Kubernetes
    /// manifests (<c>*.yaml</c>), which the AppHost applies and the image does not need.
    /// </summary>
    public static void WriteBuildContext(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var path in Files().Where(p => !p.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            var target = Path.Combine(directory, path[(Folder.Length + 1)..]);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, ManifestFiles.Read(path));
        }
    }

    /// <summary>The image, its build context written under <paramref name="stateDirectory"/> when it is built.</summary>
    public static ContainerImage Image(string stateDirectory) => new(Repository, Tag, Dockerfile: null, () =>
    {
        var context = Path.Combine(stateDirectory, "agent-build", Tag);
        WriteBuildContext(context);
        return context;
    }, "python:3.12 (Docker Hub), dl.k8s.io and PyPI");

    private static IEnumerable<string> Files() => ManifestFiles.Paths.Where(p => p.StartsWith(Folder + "/", StringComparison.Ordinal));
}
