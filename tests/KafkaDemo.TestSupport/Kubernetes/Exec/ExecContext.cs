namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// One command run through pod exec, as an exec handler sees it. Output written to
/// <see cref="Stdout"/> and <see cref="Stderr"/> is sent to the client at once, one frame per write,
/// so the client sees it while the command still runs.
/// </summary>
public sealed class ExecContext
{
    internal ExecContext(ExecInvocation invocation, Stream stdin, Stream stdout, Stream stderr, CancellationToken cancellationToken)
    {
        Invocation = invocation;
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
}
