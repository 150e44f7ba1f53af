using KafkaDemo.AppHost.Lifecycle;

namespace KafkaDemo.AppHost.Images;

/// <summary>
/// The service images (KafkaDemo.Producer, KafkaDemo.Consumer, KafkaDemo.Overseer): each built from
/// its project's Dockerfile with the repository root as the build context, and tagged with a hash of
/// exactly what reaches the builder from it: the files its COPY and ADD instructions read, minus what
/// the root's .dockerignore keeps out, plus the Dockerfile and the .dockerignore themselves.
/// </summary>
public static class ServiceImages
{
    /// <summary>The file that marks the repository root.</summary>
    public const string RootMarker = "KafkaDemo.slnx";

    /// <summary>The repository root: the nearest folder at or above <paramref name="appHostDirectory"/> that holds <see cref="RootMarker"/>.</summary>
    /// <exception cref="ClusterSetupException">There is none: the AppHost runs without its sources.</exception>
    public static string FindRepositoryRoot(string appHostDirectory)
    {
        ArgumentNullException.ThrowIfNull(appHostDirectory);
        for (var directory = new DirectoryInfo(appHostDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, RootMarker)))
            {
                return directory.FullName;
            }
        }

        throw new ClusterSetupException(
            $"No {RootMarker} at or above {appHostDirectory}: KafkaDemo:Placement=cluster builds the service images from the repository's sources.",
            "Run the AppHost from a clone of the repository (dotnet run --project KafkaDemo.AppHost), or KafkaDemo:Placement=host.");
    }

    /// <summary>The image of one project: <c>{root}/{project}/Dockerfile</c>, named <paramref name="repository"/>.</summary>
    public static ContainerImage For(string repositoryRoot, string project, string repository)
    {
        ArgumentNullException.ThrowIfNull(repositoryRoot);
        var dockerfile = Path.Combine(repositoryRoot, project, "Dockerfile");
        var inputs = Inputs(repositoryRoot, $"{project}/Dockerfile");
        return new ContainerImage(repository, ContainerImage.HashTag(inputs.Select(p => (p, File.ReadAllBytes(Path.Combine(repositoryRoot, p))))),
            dockerfile, () => repositoryRoot, "mcr.microsoft.com (the .NET SDK and ASP.NET images) and nuget.org");
    }

    /// <summary>
    /// The context files (relative, with /) that a build of <paramref name="dockerfile"/> reads:
    /// every file under each COPY/ADD source that the .dockerignore lets through, the Dockerfile and the .dockerignore.
    /// </summary>
    public static IReadOnlyList<string> Inputs(string repositoryRoot, string dockerfile)
    {
        ArgumentNullException.ThrowIfNull(repositoryRoot);
        ArgumentNullException.ThrowIfNull(dockerfile);
        var ignorePath = Path.Combine(repositoryRoot, ".dockerignore");
        var ignore = File.Exists(ignorePath) ? DockerIgnore.Parse(File.ReadAllText(ignorePath)) : DockerIgnore.Parse("");
        var files = new SortedSet<string>(StringComparer.Ordinal) { dockerfile };
        if (File.Exists(ignorePath))
        {
            files.Add(".dockerignore");
        }

        foreach (var source in Dockerfile.ContextSources(Dockerfile.Parse(File.ReadAllText(Path.Combine(repositoryRoot, dockerfile)))))
        {
            var full = Path.GetFullPath(Path.Combine(repositoryRoot, source));
            IEnumerable<string> found = File.Exists(full) ? [full]
                : Directory.Exists(full) ? Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                : throw new FileNotFoundException($"{dockerfile} copies {source}, which is not in {repositoryRoot}.", full);
            foreach (var file in found)
            {
                var relative = Path.GetRelativePath(repositoryRoot, file).Replace('\\', '/');
                if (!ignore.Excludes(relative))
                {
                    files.Add(relative);
                }
            }
        }

        return [.. files];
    }
}
