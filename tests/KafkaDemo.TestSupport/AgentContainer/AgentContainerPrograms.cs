using System.Collections.Concurrent;
using System.Security.Cryptography;
using k8s;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>What <see cref="AgentContainerPrograms"/> runs with.</summary>
public sealed record AgentContainerOptions
{
    /// <summary>The agent's image (default: built from the repository's k3d/agent/Dockerfile, named as the Deployment names it).</summary>
    public AgentImage? Image { get; init; }

    /// <summary>The clock of the container's programs (sleeps, timeouts, intervals). Default: the system's.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>The language model's answers. Default: <see cref="DemoAgent"/>.</summary>
    public ScriptedModel? Model { get; init; }

    /// <summary>The providers' APIs. Default: Anthropic and OpenAI with their current models, any key.</summary>
    public ModelServices? Services { get; init; }

    /// <summary>Runs exec in containers of other images (a broker, say); null: such an exec is a stand-in gap.</summary>
    public Func<ExecContext, Task<int>>? OtherContainers { get; init; }
}

/// <summary>
/// The programs of the agent's container (k3d/agent/Dockerfile: python 3.12, vibectl 0.11.6, llm 0.26
/// with llm-anthropic 0.25.1, kubectl 1.32, coreutils, util-linux), behind the fake Kubernetes API's
/// pod exec. An exec's argument array runs without a shell, as the container runtime runs it:
/// <c>env</c>, <c>timeout</c>, <c>flock</c>, <c>cat</c>, <c>vibectl</c>, <c>llm</c>, <c>kubectl</c> and
/// the entrypoint are emulated from their upstream source; anything else fails as a missing
/// executable and is recorded as a stand-in gap, and disposing throws when there are gaps, so a test
/// that uses what is not modelled fails loudly. A process outlives its exec connection, as in
/// Kubernetes; its output is then discarded. Only the language model is invented
/// (<see cref="ScriptedModel"/>). See README.md beside this file.
/// </summary>
public sealed class AgentContainerPrograms : IAsyncDisposable
{
    private readonly FakeKubernetesApi api;
    private readonly Func<ExecContext, Task<int>>? otherContainers;
    private readonly ConcurrentDictionary<string, AgentPod> pods = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> gaps = new();
    private readonly ConcurrentQueue<IReadOnlyList<string>> commands = new();
    private readonly ConcurrentQueue<AutoSession> sessions = new();
    private readonly ConcurrentQueue<KubectlRun> kubectlRuns = new();
    private readonly IDisposable podDeletions;
    private int runningAuto;
    private int maxConcurrentAuto;

    private AgentContainerPrograms(FakeKubernetesApi api, AgentContainerOptions options)
    {
        this.api = api;
        Image = options.Image ?? AgentImage.FromRepository();
        Time = options.Time ?? TimeProvider.System;
        Model = options.Model ?? new ScriptedModel();
        Services = options.Services ?? new ModelServices();
        otherContainers = options.OtherContainers;
        Kubectl = new KubectlRunner(() => api.BaseAddress);
        api.RegisterImage(Image.Name, Image.Config);
        api.OnExec(HandleAsync);

        // A deleted pod's container is removed: the runtime kills its processes.
        podDeletions = api.OnWrite(w => w.IsOf(ResourceType.Pods) && w.Type == WatchEventType.Deleted, (w, _) =>
        {
            if (w.Item["metadata"]?["uid"]?.GetValue<string>() is { } uid && pods.TryRemove(uid, out var pod))
            {
                pod.KillAll();
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>Registers the agent image with the fake and runs every exec through these programs.</summary>
    public static AgentContainerPrograms Attach(FakeKubernetesApi api, AgentContainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        return new AgentContainerPrograms(api, options ?? new AgentContainerOptions());
    }

    public AgentImage Image { get; }

    public TimeProvider Time { get; }

    /// <summary>The language model's script.</summary>
    public ScriptedModel Model { get; }

    /// <summary>The providers' APIs.</summary>
    public ModelServices Services { get; }

    internal KubectlRunner Kubectl { get; }

    /// <summary>What the stand-in was asked to do that it does not model (or failed at). Disposing throws if any are left.</summary>
    public IReadOnlyList<string> Gaps => [.. gaps];

    /// <summary>Takes the gaps recorded so far (for a test that expects one), so disposing does not throw for them.</summary>
    public IReadOnlyList<string> TakeGaps()
    {
        var taken = new List<string>();
        while (gaps.TryDequeue(out var gap))
        {
            taken.Add(gap);
        }

        return taken;
    }

    /// <summary>Every command run by exec in an agent container, as its argument array.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Commands => [.. commands];

    /// <summary>Every <c>vibectl auto</c> run, in the order they started.</summary>
    public IReadOnlyList<AutoSession> AutoSessions => [.. sessions];

    /// <summary>The most <c>vibectl auto</c> processes that ran at once.</summary>
    public int MaxConcurrentAuto => Volatile.Read(ref maxConcurrentAuto);

    /// <summary>Every kubectl command vibectl ran.</summary>
    public IReadOnlyList<KubectlRun> KubectlRuns => [.. kubectlRuns];

    /// <summary>vibectl's memory at the start of each <c>auto</c> (what the agent was told).</summary>
    public IReadOnlyList<string> MemoryAtAuto => [.. sessions.Select(s => s.MemoryAtStart)];

    /// <summary>vibectl's state in a pod, read from its config file as vibectl keeps it (null before vibectl first ran there).</summary>
    public VibectlState? ReadVibectl(string @namespace, string pod)
    {
        var container = api.FindRunningContainer(@namespace, pod) ?? throw new InvalidOperationException($"No running container in pod {@namespace}/{pod}.");
        var path = VibectlConfig.FilePath(container.Environment, container.Files.WorkingDirectory);
        return container.Files.FileExists(path) ? VibectlState.Parse(container.Files.ReadAllText(path)) : null;
    }

    /// <summary>
    /// Puts <paramref name="memory"/> into vibectl's config file in the pod exactly, as vibectl's own
    /// memory update would leave it (a rewrite by the model; no cut at max_chars): for a test that
    /// starts from memory the agent wrote.
    /// </summary>
    public void WriteVibectlMemory(string @namespace, string pod, string memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var container = api.FindRunningContainer(@namespace, pod) ?? throw new InvalidOperationException($"No running container in pod {@namespace}/{pod}.");
        var path = VibectlConfig.FilePath(container.Environment, container.Files.WorkingDirectory);
        var config = VibectlConfig.Defaults();
        if (container.Files.FileExists(path) && PyYamlReader.Load(container.Files.ReadAllText(path)) is PyDict stored)
        {
            foreach (var (key, value) in stored)
            {
                config[key] = value;
            }
        }

        config["memory_content"] = memory;
        container.Files.WriteAllText(path, PyYamlWriter.Dump(config));
    }

    /// <summary>
    /// Holds the flock lock on <paramref name="path"/> in the pod, as another process there would
    /// (<c>flock PATH sleep</c>), until disposed.
    /// </summary>
    public IDisposable HoldLock(string @namespace, string pod, string path)
    {
        var container = api.FindRunningContainer(@namespace, pod) ?? throw new InvalidOperationException($"No running container in pod {@namespace}/{pod}.");
        var state = pods.GetOrAdd(container.PodUid, _ => new AgentPod(this, container));
        var file = state.Locks.TryLock(ContainerFiles.Normalize(path, "/"), exclusive: true, holder: null)
            ?? throw new InvalidOperationException($"{path} is already locked in pod {pod}.");
        return new LockHolder(state.Locks, file);
    }

    /// <summary>
    /// How the pod's entrypoint (k3d/agent/idle.sh) ran: what it printed to the pod's log, and the
    /// modes of the files it made; null until the first exec into the pod ran it.
    /// </summary>
    public ShellRun? EntrypointRun(string @namespace, string pod) =>
        api.FindRunningContainer(@namespace, pod) is { } container && pods.TryGetValue(container.PodUid, out var state) ? state.Entrypoint : null;

    /// <summary>The argument arrays of the processes still running in a pod.</summary>
    public IReadOnlyList<IReadOnlyList<string>> RunningProcesses(string @namespace, string pod) =>
        api.FindRunningContainer(@namespace, pod) is { } container && pods.TryGetValue(container.PodUid, out var state)
            ? [.. state.Running.Select(p => p.Arguments)]
            : [];

    internal void RecordGap(string gap) => gaps.Enqueue(gap);

    internal void RecordKubectl(string pod, IReadOnlyList<string> arguments, int exitCode) => kubectlRuns.Enqueue(new KubectlRun(pod, arguments, exitCode));

    internal AutoSession BeginAuto(AgentPod pod, string memory)
    {
        var now = Interlocked.Increment(ref runningAuto);
        int seen;
        do
        {
            seen = Volatile.Read(ref maxConcurrentAuto);
        }
        while (now > seen && Interlocked.CompareExchange(ref maxConcurrentAuto, now, seen) != seen);

        var session = new AutoSession(pod.Name, memory, Time.GetUtcNow(), () => Interlocked.Decrement(ref runningAuto));
        sessions.Enqueue(session);
        return session;
    }

    private async Task<int> HandleAsync(ExecContext exec)
    {
        if (exec.RunningContainer.Image != Image.Name)
        {
            if (otherContainers is not null)
            {
                return await otherContainers(exec);
            }

            RecordGap($"exec into a container of image {exec.RunningContainer.Image}, which is not the agent's: {string.Join(' ', exec.Command)}");
            throw new ExecRuntimeException("stand-in: no programs for this image");
        }

        var pod = pods.GetOrAdd(exec.PodUid, _ => new AgentPod(this, exec.RunningContainer));
        commands.Enqueue(exec.Command);
        if (exec.Invocation.Tty)
        {
            RecordGap($"exec with a TTY (Rich would then print colour): {string.Join(' ', exec.Command)}");
            throw new ExecRuntimeException("stand-in: a TTY is not modelled");
        }

        lock (pod)
        {
            if (!pod.EntrypointRan)
            {
                pod.EntrypointRan = true;
                var (run, failure) = Image.EntrypointProgram.Prepare(exec.Environment, exec.Files);
                pod.Entrypoint = run;
                if (failure is not null)
                {
                    RecordGap($"the agent's entrypoint would have failed, so its container would not run: {failure}");
                }
            }
        }

        var environment = new Dictionary<string, string>(exec.Environment, StringComparer.Ordinal);
        var argv = exec.Command;
        var lookup = pod.Lookup(argv[0], environment, exec.Files.WorkingDirectory);
        if (!lookup.Found)
        {
            if (lookup.Gap)
            {
                RecordGap($"exec of {argv[0]}, which the stand-in does not emulate: {string.Join(' ', argv)}");
            }

            // runc (libcontainer) and containerd's wording, wrapped by the kubelet into an InternalError.
            var reason = argv[0].Contains('/', StringComparison.Ordinal)
                ? $"exec: \"{argv[0]}\": stat {argv[0]}: no such file or directory"
                : $"exec: \"{argv[0]}\": executable file not found in $PATH";
            throw new ExecRuntimeException(
                $"failed to exec in container: failed to start exec \"{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}\": OCI runtime exec failed: exec failed: unable to start container process: {reason}: unknown");
        }

        var stdin = exec.StdinRequested ? new ProcessInput(exec.Stdin) : ProcessInput.Empty();
        var process = pod.Start(lookup.Program!, argv, environment, exec.Files.WorkingDirectory, stdin,
            new ProcessOutput(exec.StdoutStream, exec.CancellationToken), new ProcessOutput(exec.StderrStream, exec.CancellationToken), parent: null);

        // The client leaving ends the exec, not the process (the kubelet does not kill it).
        return await process.Exited.WaitAsync(exec.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        podDeletions.Dispose();
        foreach (var pod in pods.Values)
        {
            pod.KillAll();
        }

        foreach (var pod in pods.Values)
        {
            try
            {
                await pod.WaitAllAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                RecordGap($"processes in pod {pod.Name} did not end within 10 s of SIGKILL");
            }
        }

        Kubectl.Dispose();
        if (!gaps.IsEmpty)
        {
            throw new StandInGapException(Gaps);
        }
    }

    private sealed class LockHolder(FileLocks locks, FileLocks.OpenFile file) : IDisposable
    {
        public void Dispose() => locks.Release(file);
    }
}

/// <summary>A use of the agent container the stand-in does not model: the test cannot rely on it.</summary>
public sealed class StandInGapException : Exception
{
    public StandInGapException()
    {
    }

    public StandInGapException(string message)
        : base(message)
    {
    }

    public StandInGapException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StandInGapException(IReadOnlyList<string> gaps)
        : base("The agent container's stand-in was used beyond what it models:\n- " + string.Join("\n- ", gaps ?? []))
    {
        Gaps = gaps ?? [];
    }

    public IReadOnlyList<string> Gaps { get; } = [];
}

/// <summary>A kubectl command vibectl ran in a pod, and its exit code.</summary>
public sealed record KubectlRun(string Pod, IReadOnlyList<string> Arguments, int ExitCode);

/// <summary>One <c>vibectl auto</c> process: its pod, vibectl's memory when it started, and how it ended.</summary>
public sealed class AutoSession
{
    private readonly Action onClose;
    private int closed;

    internal AutoSession(string pod, string memoryAtStart, DateTimeOffset startedAt, Action onClose)
    {
        Pod = pod;
        MemoryAtStart = memoryAtStart;
        StartedAt = startedAt;
        this.onClose = onClose;
    }

    public string Pod { get; }

    public string MemoryAtStart { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>How run_auto_command ended: its Success message ("Auto session completed after 5 iterations"), or "failed: ..."; null while it runs or when it was killed.</summary>
    public string? Outcome { get; private set; }

    /// <summary>Whether the process has ended (normally, or killed).</summary>
    public bool Ended => Volatile.Read(ref closed) == 1;

    internal void End(string outcome) => Outcome = outcome;

    internal void Close()
    {
        if (Interlocked.Exchange(ref closed, 1) == 0)
        {
            onClose();
        }
    }
}
