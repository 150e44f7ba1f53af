using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// One command run through pod exec, as an exec handler sees it. Output written to
/// <see cref="Stdout"/> and <see cref="Stderr"/> is sent to the client at once, one frame per write,
/// so the client sees it while the command still runs. The command runs in the container the fake's
/// kubelet started: it sees that container's environment and files, and can keep state for the pod.
/// </summary>
public sealed class ExecContext
{
    private readonly PodRuntime runtime;

    internal ExecContext(ExecInvocation invocation, ExecTarget target, Stream stdin, Stream stdout, Stream stderr, CancellationToken cancellationToken)
    {
        Invocation = invocation;
        RunningContainer = target.Container;
        PodObject = target.Pod;
        runtime = target.Runtime;
        Stdin = stdin;
        StdoutStream = stdout;
        StderrStream = stderr;
        Stdout = new StreamWriter(stdout, new System.Text.UTF8Encoding(false), bufferSize: 1024, leaveOpen: true) { AutoFlush = true };
        Stderr = new StreamWriter(stderr, new System.Text.UTF8Encoding(false), bufferSize: 1024, leaveOpen: true) { AutoFlush = true };
        CancellationToken = cancellationToken;
    }

    public ExecInvocation Invocation { get; }

    public string Namespace => Invocation.Namespace;

    public string Pod => Invocation.Pod;

    /// <summary>The container the command runs in (the only one, when the client named none).</summary>
    public string Container => Invocation.Container;

    /// <summary>The command and its arguments exactly as the client sent them (one <c>command</c> query parameter each).</summary>
    public IReadOnlyList<string> Command => Invocation.Command;

    /// <summary>The container the command runs in, as the kubelet started it.</summary>
    public RunningContainer RunningContainer { get; }

    /// <summary>The container's environment, resolved once when it started (what a process in it inherits).</summary>
    public IReadOnlyDictionary<string, string> Environment => RunningContainer.Environment;

    /// <summary>The container's file system: its mounted volumes and writable layer; it lasts as long as the pod.</summary>
    public ContainerFiles Files => RunningContainer.Files;

    /// <summary>The service account the pod runs as.</summary>
    public ServiceAccountRef ServiceAccount => RunningContainer.ServiceAccount;

    /// <summary>The pod as stored when the exec began.</summary>
    public JsonObject PodObject { get; }

    /// <summary>The pod's uid: another pod of the same name has another.</summary>
    public string PodUid => RunningContainer.PodUid;

    /// <summary>
    /// Whether the client asked for stdin (the <c>stdin</c> query flag, as the kubelet reads it). When it
    /// did not, <see cref="Stdin"/> is at its end at once, as a process's stdin is then.
    /// </summary>
    public bool StdinRequested => Invocation.Stdin;

    /// <summary>
    /// What the client sends on channel 0; it ends when the client closes stdin (v5) or the connection.
    /// Empty when the client did not ask for stdin.
    /// </summary>
    public Stream Stdin { get; }

    /// <summary>Writes text to stdout (channel 1), flushed on every write.</summary>
    public TextWriter Stdout { get; }

    /// <summary>Writes text to stderr (channel 2; with a TTY, to stdout as a terminal would), flushed on every write.</summary>
    public TextWriter Stderr { get; }

    /// <summary>Writes bytes to stdout; every write is one frame.</summary>
    public Stream StdoutStream { get; }

    /// <summary>Writes bytes to stderr; every write is one frame.</summary>
    public Stream StderrStream { get; }

    /// <summary>Fires when the client goes away (closes or drops the connection) or the fake stops.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// State the handler keeps for this pod (one object per type), made by <paramref name="create"/> on
    /// first use and dropped with the pod, so a replacement pod starts clean.
    /// </summary>
    public T GetOrAddPodState<T>(Func<T> create)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(create);
        return runtime.GetOrAddState(create);
    }
}
