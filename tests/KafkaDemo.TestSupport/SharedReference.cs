namespace KafkaDemo.TestSupport;

/// <summary>
/// The <c>shared/</c> folder that sits beside the repository in CI: verbatim upstream schemas
/// (Strimzi CRDs and install files, the k3d config schema) and facts read from source. A user's
/// clone has no such folder, so tests that need it skip with the reason; in CI
/// (<see cref="RequireVariable"/>=1, set by .ci/run) a missing folder fails them instead.
/// </summary>
public static class SharedReference
{
    public const string RequireVariable = "KAFKADEMO_REQUIRE_SHARED";

    /// <summary>The repository root: the folder that holds KafkaDemo.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The k8s reference folder (shared/k8s-reference), or null when it is not there.</summary>
    public static string? K8sReference =>
        Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "k8s-reference")) is var path && Directory.Exists(path) ? path : null;

    /// <summary>The k8s reference folder; skips the test (or, in CI, fails it) when it is missing.</summary>
    public static string RequireK8sReference()
    {
        if (K8sReference is { } path)
        {
            return path;
        }

        var reason = $"Needs the upstream Kubernetes schemas in {Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "k8s-reference"))}, "
            + "which exist in CI beside the clone, not in a user's clone.";
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail($"{RequireVariable}=1 but: {reason}");
        }

        Assert.Skip(reason);
        return "";
    }

    /// <summary>A file under the k8s reference folder (skipping or failing as above when it is missing).</summary>
    public static string File(string relativePath) => Path.Combine(RequireK8sReference(), relativePath);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "KafkaDemo.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No KafkaDemo.slnx above {AppContext.BaseDirectory}.");
    }
}
