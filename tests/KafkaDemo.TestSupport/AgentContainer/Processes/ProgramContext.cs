namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>A program the emulated container can run: an executable at a path in the image.</summary>
internal interface IContainerProgram
{
    /// <summary>Where it is in the image, such as <c>/usr/bin/env</c>.</summary>
    string Path { get; }

    /// <summary>Runs it; returns its exit code. It ends early (by cancellation) when its process is killed.</summary>
    Task<int> RunAsync(ProgramContext context);
}

/// <summary>
/// What a running program sees, as a process does: its argv, environment, working directory,
/// standard streams and file system, its signals, and the system calls the emulated programs need
/// (execvp in a forked child or in place, sleeping on the container's clock).
/// </summary>
internal sealed class ProgramContext
{
    public required AgentPod Pod { get; init; }

    public required ContainerProcess Process { get; init; }

    /// <summary>argv, with argv[0] as the caller wrote it.</summary>
    public required IReadOnlyList<string> Argv { get; init; }

    /// <summary>This process's environment (a copy: what it changes, as <c>os.environ</c> or putenv do, stays in it).</summary>
    public required Dictionary<string, string> Environment { get; init; }

    public required string WorkingDirectory { get; init; }

    public required ProcessInput Stdin { get; init; }

    public required ProcessOutput Stdout { get; init; }

    public required ProcessOutput Stderr { get; init; }

    /// <summary>argv[1:].</summary>
    public IReadOnlyList<string> Arguments => [.. Argv.Skip(1)];

    /// <summary>program_invocation_short_name: the base name of argv[0].</summary>
    public string Name => System.IO.Path.GetFileName(Argv[0]);

    /// <summary>Fires when the process receives SIGTERM or SIGKILL.</summary>
    public CancellationToken Dying => Process.Dying;

    public Kubernetes.ContainerFiles Files => Pod.Files;

    public TimeProvider Time => Pod.Time;

    /// <summary>execvp's search for <paramref name="file"/> in this process's PATH.</summary>
    public ExecutableLookup Lookup(string file) => Pod.Lookup(file, Environment, WorkingDirectory);

    /// <summary>fork and execvp: a child process running <paramref name="program"/>, with the same standard streams unless given.</summary>
    public ContainerProcess StartChild(IContainerProgram program, IReadOnlyList<string> argv, Dictionary<string, string> environment,
        ProcessInput? stdin = null, ProcessOutput? stdout = null, ProcessOutput? stderr = null) =>
        Pod.Start(program, argv, environment, WorkingDirectory, stdin ?? Stdin, stdout ?? Stdout, stderr ?? Stderr, Process);

    /// <summary>execvp without fork: the process becomes <paramref name="program"/> (its pid, parent and signals stay).</summary>
    public Task<int> ExecAsync(IContainerProgram program, IReadOnlyList<string> argv, Dictionary<string, string> environment)
    {
        Process.Arguments = argv;
        return program.RunAsync(new ProgramContext
        {
            Pod = Pod,
            Process = Process,
            Argv = argv,
            Environment = environment,
            WorkingDirectory = WorkingDirectory,
            Stdin = Stdin,
            Stdout = Stdout,
            Stderr = Stderr,
        });
    }

    /// <summary>
    /// What the stand-in does for a use of a program it does not model: records a stand-in gap (so
    /// the test fails), says so on stderr, and exits with <paramref name="exitCode"/> (the program's
    /// own usage-error code, so the caller sees a failure).
    /// </summary>
    public async Task<int> NotModelledAsync(string what, int exitCode)
    {
        Pod.Programs.RecordGap($"{what} is not modelled: {string.Join(' ', Argv)}");
        await Stderr.WriteAsync($"{Name}: {what} is not modelled by the KafkaDemo stand-in\n");
        return exitCode;
    }

    /// <summary>Sleeps on the container's clock; a signal ends it.</summary>
    public Task SleepAsync(TimeSpan duration) => Task.Delay(duration, Time, Dying);
}

/// <summary>
/// What execvp finds for a file name: the program, or the errno it fails with (2 ENOENT when there
/// is no such file, 13 EACCES when it is not executable) and whether the stand-in was asked for a
/// program the real image may hold but it does not emulate (a stand-in gap).
/// </summary>
internal sealed record ExecutableLookup(IContainerProgram? Program, string Path, int Errno, bool Gap)
{
    public const int NoSuchFile = 2;

    public bool Found => Program is not null;

    /// <summary>strerror of the errno.</summary>
    public string Error => Errno == NoSuchFile ? "No such file or directory" : "Permission denied";
}
