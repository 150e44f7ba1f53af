namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// Thrown by an exec handler when the container runtime could not start the command (a missing
/// executable, for example). The exec then ends as the kubelet ends it (pkg/kubelet/cri/streaming/
/// remotecommand exec.go ServeExec): an <c>InternalError</c> status, code 500, with the message
/// <c>Internal error occurred: error executing command in container: {Error}</c>, and no exit code.
/// </summary>
public sealed class ExecRuntimeException : Exception
{
    public ExecRuntimeException()
    {
    }

    /// <param name="message">The runtime's error, as the kubelet wraps it: <c>failed to exec in container: ...</c>.</param>
    public ExecRuntimeException(string message)
        : base(message)
    {
    }

    public ExecRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
