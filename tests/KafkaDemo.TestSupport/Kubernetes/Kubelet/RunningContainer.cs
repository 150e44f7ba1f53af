namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A container the fake's kubelet started: the environment and file system it got at start, and whom
/// it runs as. Exec handlers see it through <see cref="ExecContext"/>; tests find it with
/// <see cref="FakeKubernetesApi.FindRunningContainer"/>.
/// </summary>
public sealed class RunningContainer
{
    internal RunningContainer(string @namespace, string pod, string podUid, string name, string image, IReadOnlyDictionary<string, string> environment, ContainerFiles files, ServiceAccountRef serviceAccount, string? user, DateTimeOffset startedAt)
    {
        Namespace = @namespace;
        Pod = pod;
        PodUid = podUid;
        Name = name;
        Image = image;
        Environment = environment;
        Files = files;
        ServiceAccount = serviceAccount;
        User = user;
        StartedAt = startedAt;
    }

    public string Namespace { get; }

    public string Pod { get; }

    /// <summary>The uid of the pod it runs in: a pod of the same name made later is another pod.</summary>
    public string PodUid { get; }

    /// <summary>The container's name.</summary>
    public string Name { get; }

    public string Image { get; }

    /// <summary>The environment resolved once, at start (a later change to a Secret does not reach it, as in Kubernetes).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Its file system: the mounted volumes and its writable layer.</summary>
    public ContainerFiles Files { get; }

    /// <summary>The pod's service account (<c>spec.serviceAccountName</c>, else "default").</summary>
    public ServiceAccountRef ServiceAccount { get; }

    /// <summary>
    /// The user it runs as: <c>securityContext.runAsUser</c> of the container, else of the pod, else the
    /// image's USER; null for the image's default (root).
    /// </summary>
    public string? User { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>The real program behind it, when its image is one a test runs (<see cref="FakeKubernetesApi.RunImage"/>).</summary>
    internal ContainerProcess? Process { get; init; }

    /// <summary>Its log: the program's stdout and stderr; empty for an emulated container.</summary>
    internal ContainerLog Log { get; init; } = new();

    /// <summary>The loopback port a program listens on for a declared containerPort, or null (no program, or no such port).</summary>
    public int? HostPort(int containerPort) => Process?.Launch.Ports.TryGetValue(containerPort, out var port) == true ? port : null;
}
