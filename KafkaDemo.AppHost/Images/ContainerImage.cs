using System.Security.Cryptography;
using System.Text;

namespace KafkaDemo.AppHost.Images;

/// <summary>
/// An image the AppHost builds and imports into the k3d cluster, tagged with a hash of its inputs, so
/// a changed input gives a new tag (and the pods a new image) and an unchanged one is not rebuilt.
/// </summary>
/// <param name="Repository">The image's name without tag ("kafkademo-producer").</param>
/// <param name="Tag">The first 16 hex digits of the SHA-256 of its inputs (<see cref="HashTag"/>).</param>
/// <param name="Dockerfile">The Dockerfile's path, for "docker build -f"; null for the context's own Dockerfile.</param>
/// <param name="PrepareContext">Gives the build context's folder (writing it first, if it is not on disk), only when the image is built.</param>
/// <param name="Needs">What the build fetches, for the message when it fails ("mcr.microsoft.com and nuget.org").</param>
public sealed record ContainerImage(string Repository, string Tag, string? Dockerfile, Func<string> PrepareContext, string Needs)
{
    public string Reference => $"{Repository}:{Tag}";

    /// <summary>The tag of these inputs: each input's path (with /) and bytes, in path order.</summary>
    public static string HashTag(IEnumerable<(string Path, byte[] Content)> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (path, content) in inputs.OrderBy(i => i.Path, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(path + "\n"));
            hash.AppendData(content);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
