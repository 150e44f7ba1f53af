using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// One agent pod as its container's programs see it: the container (environment and files, from
/// the fake's kubelet), its processes, its file locks and clock. Kept per pod uid; when the pod is
/// deleted every process in it is killed, as the container runtime kills a removed container's.
/// </summary>
internal sealed class AgentPod
{
    private readonly Lock gate = new();
    private readonly List<ContainerProcess> processes = [];
    private int nextPid = 1;

    public AgentPod(AgentContainerPrograms programs, RunningContainer container)
    {
        Programs = programs;
        Container = container;
    }

    public AgentContainerPrograms Programs { get; }

    public RunningContainer Container { get; }

    public string Namespace => Container.Namespace;

    public string Name => Container.Pod;

    public string Uid => Container.PodUid;

    public ContainerFiles Files => Container.Files;

    public TimeProvider Time => Programs.Time;

    public FileLocks Locks { get; } = new();

    /// <summary>Whether the entrypoint (k3d/agent/idle.sh) has prepared the pod's files.</summary>
    public bool EntrypointRan { get; set; }

    /// <summary>How the entrypoint ran (its log, the modes of the files it made).</summary>
    public ShellRun? Entrypoint { get; set; }

    /// <summary>Processes that have not exited.</summary>
    public IReadOnlyList<ContainerProcess> Running
    {
        get
        {
            lock (gate)
            {
                return [.. processes.Where(p => !p.HasExited)];
            }
        }
    }

    /// <summary>Starts a process (fork and exec): it runs until its program returns or a signal ends it.</summary>
    public ContainerProcess Start(IContainerProgram program, IReadOnlyList<string> argv, Dictionary<string, string> environment, string workingDirectory,
        ProcessInput stdin, ProcessOutput stdout, ProcessOutput stderr, ContainerProcess? parent, bool inheritLocks = true)
    {
        ContainerProcess process;
        lock (gate)
        {
            process = new ContainerProcess(++nextPid, parent, argv);
            processes.Add(process);
        }

        if (parent is not null && inheritLocks)
        {
            Locks.Inherit(parent, process);
        }

        var context = new ProgramContext
        {
            Pod = this,
            Process = process,
            Argv = argv,
            Environment = environment,
            WorkingDirectory = workingDirectory,
            Stdin = stdin,
            Stdout = stdout,
            Stderr = stderr,
        };
        _ = Task.Run(async () =>
        {
            var code = 0;
            try
            {
                code = await program.RunAsync(context);
            }
            catch (OperationCanceledException) when (process.Dying.IsCancellationRequested)
            {
                // Killed: the wait status is 128 + the signal.
            }
            catch (Exception e)
            {
                // A bug of the stand-in, not behaviour of the real program: the test must fail.
                Programs.RecordGap($"the stand-in for {program.Path} failed on {string.Join(' ', argv)}: {e}");
                await stderr.WriteAsync($"stand-in failure in {program.Path}: {e.Message}\n");
                code = 70;
            }
            finally
            {
                process.Complete(code);
                Locks.Exited(process);
                process.Dispose();
            }
        });
        return process;
    }

    /// <summary>
    /// execvp's search (glibc posix/execvpe.c): a name with a slash is a path from the working
    /// directory; otherwise each PATH entry in turn. The image's files are not modelled, so a name
    /// the stand-in does not emulate is not found, and that is recorded as a stand-in gap.
    /// </summary>
    public ExecutableLookup Lookup(string file, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        IEnumerable<string> candidates;
        if (file.Contains('/', StringComparison.Ordinal))
        {
            candidates = [ContainerFiles.Normalize(file, workingDirectory)];
        }
        else
        {
            // Without PATH, glibc's execvp searches confstr(_CS_PATH), "/bin:/usr/bin".
            var path = environment.TryGetValue("PATH", out var value) ? value : "/bin:/usr/bin";
            candidates = path.Split(':').Select(dir => ContainerFiles.Normalize($"{(dir.Length == 0 ? "." : dir)}/{file}", workingDirectory));
        }

        var tried = candidates.ToList();
        foreach (var candidate in tried)
        {
            if (Programs.Image.Program(candidate) is { } program)
            {
                return new ExecutableLookup(program, candidate, 0, Gap: false);
            }
        }

        return new ExecutableLookup(null, file.Contains('/', StringComparison.Ordinal) ? tried[0] : file, ExecutableLookup.NoSuchFile, Gap: true);
    }

    /// <summary>SIGKILL to every process (the container is going away).</summary>
    public void KillAll()
    {
        foreach (var process in Running)
        {
            process.Send(ContainerProcess.SigKill);
        }
    }

    /// <summary>Waits until every process has exited.</summary>
    public async Task WaitAllAsync(TimeSpan limit)
    {
        List<ContainerProcess> all;
        lock (gate)
        {
            all = [.. processes];
        }

        await Task.WhenAll(all.Select(p => p.Exited)).WaitAsync(limit);
    }
}
