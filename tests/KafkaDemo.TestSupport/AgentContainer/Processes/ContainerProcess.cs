namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// One process in an emulated container: its id, parent and children, and its signals. The
/// programs emulated here install no signal handlers (vibectl and llm are Python without handlers
/// for SIGTERM; coreutils and util-linux keep the defaults where it matters), so SIGTERM and SIGKILL
/// both end a process at once, and its parent sees <c>128 + signal</c>. A process does not end
/// when the exec connection that started it drops: in Kubernetes the kubelet does not kill an
/// exec'd process when its stream goes away.
/// </summary>
internal sealed class ContainerProcess : IDisposable
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private readonly CancellationTokenSource dying = new();
    private readonly TaskCompletionSource<int> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock gate = new();
    private readonly List<ContainerProcess> children = [];
    private int? signal;

    public ContainerProcess(int pid, ContainerProcess? parent, IReadOnlyList<string> arguments)
    {
        Pid = pid;
        Parent = parent;
        Dying = dying.Token;
        Arguments = arguments;
        if (parent is not null)
        {
            lock (parent.gate)
            {
                parent.children.Add(this);
            }
        }
    }

    public int Pid { get; }

    public ContainerProcess? Parent { get; }

    /// <summary>argv as last exec'd (a program that execs another, as env does, keeps the process).</summary>
    public IReadOnlyList<string> Arguments { get; set; }

    /// <summary>Fires when the process is sent SIGTERM or SIGKILL: it is dying.</summary>
    public CancellationToken Dying { get; }

    /// <summary>The signal that ended it, if one did.</summary>
    public int? Signal
    {
        get
        {
            lock (gate)
            {
                return signal;
            }
        }
    }

    /// <summary>The wait status its parent sees: the exit code, or 128 + the signal.</summary>
    public Task<int> Exited => completion.Task;

    public bool HasExited => completion.Task.IsCompleted;

    /// <summary>The process and all its descendants that are still alive.</summary>
    public IReadOnlyList<ContainerProcess> Tree()
    {
        List<ContainerProcess> snapshot;
        lock (gate)
        {
            snapshot = [.. children];
        }

        return [this, .. snapshot.SelectMany(c => c.Tree())];
    }

    /// <summary>kill(pid, signal): SIGTERM and SIGKILL end the process.</summary>
    public void Send(int signalNumber)
    {
        lock (gate)
        {
            if (completion.Task.IsCompleted)
            {
                return;
            }

            signal ??= signalNumber;
        }

        try
        {
            dying.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It exited meanwhile: nothing to signal.
        }
    }

    /// <summary>kill(-pgid, signal) for a group led by this process: it and every descendant.</summary>
    public void SendToGroup(int signalNumber)
    {
        foreach (var process in Tree())
        {
            process.Send(signalNumber);
        }
    }

    /// <summary>Records how the process ended; a signal received first wins over an exit code.</summary>
    public void Complete(int exitCode)
    {
        int status;
        lock (gate)
        {
            status = signal is { } s ? 128 + s : exitCode;
        }

        completion.TrySetResult(status);
    }

    /// <summary>Frees the signal's token source once the process has exited (a later signal is then ignored).</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (completion.Task.IsCompleted)
            {
                dying.Dispose();
            }
        }
    }
}
