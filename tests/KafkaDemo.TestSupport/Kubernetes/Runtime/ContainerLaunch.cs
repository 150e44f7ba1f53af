namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// What the fake's kubelet knows when it starts a container whose image a test runs as a real program
/// (<see cref="FakeKubernetesApi.RunImage"/>): the pod and container, the environment it computed for the
/// container (with cluster DNS names rewritten, see <see cref="FakeKubernetesApi.AddClusterDns"/>), and the
/// free loopback port that stands for each declared containerPort.
/// </summary>
public sealed class ContainerLaunch
{
    public required string Namespace { get; init; }

    public required string Pod { get; init; }

    public required string Container { get; init; }

    public required string Image { get; init; }

    /// <summary>The container's environment, exactly as the kubelet computed it (envFrom, env, valueFrom...), DNS names rewritten.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>Each declared <c>containerPort</c> and the loopback port the program must listen on for it.</summary>
    public required IReadOnlyDictionary<int, int> Ports { get; init; }

    /// <summary>The loopback port for a declared containerPort.</summary>
    public int HostPort(int containerPort) =>
        Ports.TryGetValue(containerPort, out var port) ? port : throw new InvalidOperationException($"The container {Container} declares no containerPort {containerPort}.");
}

/// <summary>
/// The program a container runs (what an image's entrypoint would be): the executable, its arguments, its
/// working directory, and what the host needs for it to run at all (for example <c>DOTNET_ROOT</c>), which
/// plays the image's ENV: the container's own environment is set over it.
/// </summary>
public sealed class ContainerCommand
{
    public required string FileName { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    public string? WorkingDirectory { get; init; }

    public IReadOnlyDictionary<string, string> HostEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// One of the repository's services as a container's program: its build output with the dotnet host
    /// (<see cref="ServiceProcess.AssemblyPath"/>), listening on the loopback port that stands for
    /// <paramref name="containerPort"/>, then <paramref name="extra"/> (a command-line setting wins over env).
    /// </summary>
    public static ContainerCommand Service(string project, ContainerLaunch launch, int containerPort, IReadOnlyList<string> extra)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var assembly = ServiceProcess.AssemblyPath(project);
        return new ContainerCommand
        {
            FileName = ServiceProcess.DotnetHost,
            Arguments = [assembly, "--urls", $"http://127.0.0.1:{launch.HostPort(containerPort).ToString(System.Globalization.CultureInfo.InvariantCulture)}", .. extra],
            WorkingDirectory = Path.GetDirectoryName(assembly),
        };
    }
}

/// <summary>A process the fake's container runtime started for a container, for tests to check that none outlives its pod.</summary>
public sealed record ContainerProcessRecord(string Namespace, string Pod, string Container, int ProcessId, Func<bool> HasExitedProbe)
{
    /// <summary>Whether the process has exited (it is stopped when its pod is deleted and when the fake is disposed).</summary>
    public bool HasExited => HasExitedProbe();
}
