namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A file operation in a container's file system that the kernel would refuse, with its errno:
/// 2 ENOENT "No such file or directory", 20 ENOTDIR "Not a directory", 21 EISDIR "Is a directory",
/// 30 EROFS "Read-only file system" (a volume the kubelet mounts read-only, or a root file system
/// with <c>readOnlyRootFilesystem: true</c>). A stand-in can print it as the real program would
/// (Python: <c>[Errno 30] Read-only file system: '/path'</c>).
/// </summary>
public sealed class ContainerFileException : IOException
{
    public const int NoSuchFile = 2;
    public const int NotADirectory = 20;
    public const int IsADirectory = 21;
    public const int ReadOnlyFileSystem = 30;

    internal ContainerFileException(int errno, string path)
        : base($"{Describe(errno)}: '{path}'")
    {
        Errno = errno;
        Path = path;
    }

    public ContainerFileException()
        : this(NoSuchFile, "")
    {
    }

    public ContainerFileException(string message)
        : base(message)
    {
        Path = "";
    }

    public ContainerFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = "";
    }

    /// <summary>The Linux errno.</summary>
    public int Errno { get; }

    /// <summary>The path as the container sees it (absolute, normalised).</summary>
    public string Path { get; }

    /// <summary>strerror's text for the errno.</summary>
    public string Description => Describe(Errno);

    private static string Describe(int errno) => errno switch
    {
        NoSuchFile => "No such file or directory",
        NotADirectory => "Not a directory",
        IsADirectory => "Is a directory",
        ReadOnlyFileSystem => "Read-only file system",
        _ => $"errno {errno}",
    };
}
