namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// Why a container could not be started, as the kubelet reports it in
/// <c>status.containerStatuses[].state.waiting</c>: <c>CreateContainerConfigError</c> with the
/// kubelet's message when its environment cannot be built, <c>ContainerCreating</c> while a volume
/// cannot be mounted (the kubelet reports the mount error only as an event).
/// </summary>
internal sealed class ContainerStartFailure(string reason, string message) : Exception(message)
{
    /// <summary>kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go: ErrCreateContainerConfig.</summary>
    public const string CreateContainerConfigError = "CreateContainerConfigError";

    /// <summary>kubernetes pkg/kubelet/kubelet_pods.go: ContainerCreating, the reason while the pod's volumes are not ready.</summary>
    public const string ContainerCreating = "ContainerCreating";

    /// <summary>kubernetes pkg/kubelet/container/sync_result.go ErrRunContainer: the runtime could not start it.</summary>
    public const string RunContainerError = "RunContainerError";

    public string Reason { get; } = reason;

    public static ContainerStartFailure Config(string message) => new(CreateContainerConfigError, message);

    public static ContainerStartFailure Mount(string message) => new(ContainerCreating, message);
}
