using System.Collections.Concurrent;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// What the kubelet keeps for one pod (by uid) while it exists: its IP, its emptyDir volumes, its
/// containers (started, or why not), and state an exec handler keeps for the pod. It is dropped when
/// the pod is deleted, so a new pod of the same name starts clean.
/// </summary>
internal sealed class PodRuntime(string uid, string @namespace, string name, string podIP, bool startedByKubelet)
{
    private readonly ConcurrentDictionary<string, VolumeDirectory> emptyDirs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, object> handlerState = new();

    public string Uid { get; } = uid;

    public string Namespace { get; } = @namespace;

    public string Name { get; } = name;

    public string PodIP { get; } = podIP;

    /// <summary>True when the fake's kubelet started the pod (and writes its status); false when a test put a running pod and exec met it.</summary>
    public bool StartedByKubelet { get; } = startedByKubelet;

    public Lock Gate { get; } = new();

    /// <summary>Why the pod's volumes could not be set up (no container starts then), or null.</summary>
    public ContainerStartFailure? MountFailure { get; set; }

    public Dictionary<string, RunningContainer> Running { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ContainerStartFailure> Waiting { get; } = new(StringComparer.Ordinal);

    public bool HasFailures => MountFailure is not null || Waiting.Count > 0;

    /// <summary>The pod's emptyDir volume of that name, made empty on first use.</summary>
    public VolumeDirectory EmptyDir(string volume) => emptyDirs.GetOrAdd(volume, _ => new VolumeDirectory(writable: true));

    public T GetOrAddState<T>(Func<T> create)
        where T : class =>
        (T)handlerState.GetOrAdd(typeof(T), _ => create());
}
