using System.Text;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// One container's file system, as its process sees it: the volumes mounted into it (ConfigMap,
/// Secret, projected and downward API volumes read-only, as the kubelet mounts them; emptyDir volumes
/// writable unless the mount says <c>readOnly</c>, shared by the pod's containers and kept as long as
/// the pod), and beneath them the container's writable layer, which refuses writes with EROFS when the
/// container has <c>securityContext.readOnlyRootFilesystem: true</c>. The image's own files are not
/// modelled: outside the volumes only what the container wrote exists. Relative paths start at the
/// working directory. Every refused operation throws <see cref="ContainerFileException"/> with the
/// errno the kernel would give.
/// </summary>
public sealed class ContainerFiles
{
    private readonly IReadOnlyList<ContainerMount> mounts;

    internal ContainerFiles(IEnumerable<ContainerMount> mounts, VolumeDirectory layer, string workingDirectory)
    {
        // The deepest mount wins, as a later mount over a path hides what is beneath it.
        this.mounts = [.. mounts.OrderByDescending(m => m.Path.Length), new ContainerMount("/", layer, "", ReadOnly: !layer.Writable)];
        WorkingDirectory = Normalize(workingDirectory, "/");
    }

    /// <summary>The working directory: the container's <c>workingDir</c>, else the image's WORKDIR, else <c>/</c>.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The mount points, deepest first, ending with the root (<c>/</c>).</summary>
    public IReadOnlyList<string> MountPoints => [.. mounts.Select(m => m.Path)];

    /// <summary>Whether a file exists at the path.</summary>
    public bool FileExists(string path)
    {
        var (mount, relative, _) = Resolve(path);
        return mount.Volume.IsFile(relative);
    }

    /// <summary>Whether a directory exists at the path (a mount point, a directory made, or the parent of a file).</summary>
    public bool DirectoryExists(string path)
    {
        var (mount, relative, full) = Resolve(path);
        if (mount.Volume.IsFile(relative))
        {
            return false;
        }

        return mount.Volume.IsDirectory(relative)
            || mount.Path == full
            || mounts.Any(m => m.Path != full && m.Path.StartsWith(full == "/" ? "/" : full + "/", StringComparison.Ordinal));
    }

    /// <summary>Whether a write to the path would be allowed (it is on a writable mount or layer).</summary>
    public bool IsWritable(string path) => !Resolve(path).Mount.ReadOnly;

    public byte[] ReadAllBytes(string path)
    {
        var (mount, relative, full) = Resolve(path);
        if (mount.Volume.TryRead(relative, out var contents))
        {
            return [.. contents];
        }

        throw new ContainerFileException(DirectoryExists(full) ? ContainerFileException.IsADirectory : ContainerFileException.NoSuchFile, full);
    }

    public string ReadAllText(string path) => Encoding.UTF8.GetString(ReadAllBytes(path));

    /// <summary>Creates or replaces a file; its directory comes into being with it (as after <c>mkdir -p</c>).</summary>
    public void WriteAllBytes(string path, byte[] contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var (mount, relative, full) = WritableTarget(path);
        if (DirectoryExists(full))
        {
            throw new ContainerFileException(ContainerFileException.IsADirectory, full);
        }

        mount.Volume.Write(relative, [.. contents]);
    }

    public void WriteAllText(string path, string contents) => WriteAllBytes(path, Encoding.UTF8.GetBytes(contents));

    /// <summary>Makes a directory (and its parents), as <c>mkdir -p</c>.</summary>
    public void CreateDirectory(string path)
    {
        var (mount, relative, full) = Resolve(path);
        if (mount.Volume.IsFile(relative))
        {
            throw new ContainerFileException(ContainerFileException.NotADirectory, full);
        }

        if (DirectoryExists(full))
        {
            return;
        }

        if (mount.ReadOnly)
        {
            throw new ContainerFileException(ContainerFileException.ReadOnlyFileSystem, full);
        }

        mount.Volume.MakeDirectory(relative);
    }

    /// <summary>Removes a file (or an empty directory made earlier); false if there was none.</summary>
    public bool Delete(string path)
    {
        var (mount, relative, full) = Resolve(path);
        if (!mount.Volume.IsFile(relative) && !mount.Volume.IsDirectory(relative))
        {
            return false;
        }

        if (mount.ReadOnly)
        {
            throw new ContainerFileException(ContainerFileException.ReadOnlyFileSystem, full);
        }

        return mount.Volume.Remove(relative);
    }

    /// <summary>Every file under a directory (recursively, across mounts), as absolute paths in order.</summary>
    public IReadOnlyList<string> FilesUnder(string directory)
    {
        var full = Normalize(directory, WorkingDirectory);
        var prefix = full == "/" ? "/" : full + "/";
        return [.. mounts
            .SelectMany(m => m.Volume.FilesUnder(m.SubPath).Select(r => (Mount: m, Path: Join(m.Path, Inside(m.SubPath, r)))))
            .Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal) && ReferenceEquals(Resolve(f.Path).Mount, f.Mount))
            .Select(f => f.Path)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    private (ContainerMount Mount, string Relative, string Full) WritableTarget(string path)
    {
        var target = Resolve(path);
        return target.Mount.ReadOnly ? throw new ContainerFileException(ContainerFileException.ReadOnlyFileSystem, target.Full) : target;
    }

    private (ContainerMount Mount, string Relative, string Full) Resolve(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Normalize(path, WorkingDirectory);
        foreach (var mount in mounts)
        {
            if (mount.Path == "/" || full == mount.Path || full.StartsWith(mount.Path + "/", StringComparison.Ordinal))
            {
                var inside = full == mount.Path ? "" : full[(mount.Path == "/" ? 1 : mount.Path.Length + 1)..];
                var relative = mount.SubPath.Length == 0 ? inside : inside.Length == 0 ? mount.SubPath : $"{mount.SubPath}/{inside}";
                return (mount, relative, full);
            }
        }

        throw new InvalidOperationException("The root mount matches every path.");
    }

    /// <summary>A volume path as seen under a mount of <paramref name="subPath"/>.</summary>
    private static string Inside(string subPath, string relative) =>
        subPath.Length == 0 ? relative : relative == subPath ? "" : relative[(subPath.Length + 1)..];

    private static string Join(string mountPath, string relative) =>
        relative.Length == 0 ? mountPath : mountPath == "/" ? "/" + relative : $"{mountPath}/{relative}";

    /// <summary>An absolute path without <c>.</c>, <c>..</c> or repeated slashes; a relative one starts at <paramref name="from"/>.</summary>
    internal static string Normalize(string path, string from)
    {
        var parts = new List<string>();
        foreach (var part in (path.StartsWith('/') ? path : $"{from}/{path}").Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return "/" + string.Join('/', parts);
    }
}

/// <summary>A volume (or a sub-path of one) mounted at a path in a container.</summary>
internal sealed record ContainerMount(string Path, VolumeDirectory Volume, string SubPath, bool ReadOnly);
