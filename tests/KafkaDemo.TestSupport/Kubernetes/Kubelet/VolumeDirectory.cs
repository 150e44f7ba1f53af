using System.Collections.Concurrent;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The contents of one volume (or of a container's writable layer): files by path relative to the
/// volume's root, and directories made explicitly. Thread-safe; a read-only one is a snapshot.
/// </summary>
internal sealed class VolumeDirectory(bool writable)
{
    private readonly ConcurrentDictionary<string, byte[]> files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> directories = new(StringComparer.Ordinal);

    public bool Writable { get; } = writable;

    public static VolumeDirectory Snapshot(IReadOnlyDictionary<string, byte[]> contents)
    {
        var volume = new VolumeDirectory(writable: false);
        foreach (var (path, bytes) in contents)
        {
            volume.files[path] = bytes;
        }

        return volume;
    }

    public bool TryRead(string path, out byte[] contents) => files.TryGetValue(path, out contents!);

    public void Write(string path, byte[] contents) => files[path] = contents;

    public bool Remove(string path) => files.TryRemove(path, out _) || directories.TryRemove(path, out _);

    public void MakeDirectory(string path) => directories[path] = true;

    public bool IsFile(string path) => files.ContainsKey(path);

    /// <summary>Whether the path is the root, a directory made explicitly, or the parent of a file or directory.</summary>
    public bool IsDirectory(string path) =>
        path.Length == 0 || directories.ContainsKey(path)
        || files.Keys.Concat(directories.Keys).Any(p => p.StartsWith(path + "/", StringComparison.Ordinal));

    /// <summary>Every file at or under a path, by relative path.</summary>
    public IEnumerable<string> FilesUnder(string path) =>
        files.Keys.Where(p => path.Length == 0 || p == path || p.StartsWith(path + "/", StringComparison.Ordinal));
}
