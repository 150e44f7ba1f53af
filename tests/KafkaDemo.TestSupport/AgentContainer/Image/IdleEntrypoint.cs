using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// The image's ENTRYPOINT, the script the Dockerfile copies there (k3d/agent/idle.sh, run by
/// <c>/bin/sh</c>, dash): interpreted by <see cref="ShellScript"/> from the script's own text, so
/// what the pod gets (llm's directory, the extra models file, llm's keys.json from the mounted key,
/// and their modes) is what the script does. The stand-in runs it once, at the first exec into the
/// pod (the pod has started by then); it must end in <c>exec sleep infinity</c>, else the container
/// would have stopped, which is a stand-in gap.
/// </summary>
internal sealed class IdleEntrypoint(string path, ShellScript? script, string? missing) : IContainerProgram
{
    public string Path => path;

    /// <summary>
    /// Runs the script up to its exec. Null failure when it reached <c>exec sleep infinity</c>, else
    /// why the container would have stopped (or why the stand-in cannot run it).
    /// </summary>
    public (ShellRun? Run, string? Failure) Prepare(IReadOnlyDictionary<string, string> environment, ContainerFiles files)
    {
        if (script is null)
        {
            return (null, $"the entrypoint {path} is a script the stand-in does not have: {missing}");
        }

        ShellRun run;
        try
        {
            run = script.Run(environment, files);
        }
        catch (NotSupportedException e)
        {
            return (null, e.Message);
        }

        if (run.ExitCode is { } code)
        {
            return (run, $"{path} exited {code} instead of sleeping: {run.Stderr.TrimEnd()}");
        }

        return run.Exec is ["sleep", "infinity"]
            ? (run, null)
            : (run, $"{path} ends by exec of {string.Join(' ', run.Exec)}, which the stand-in does not model");
    }

    public async Task<int> RunAsync(ProgramContext context)
    {
        var (run, failure) = Prepare(context.Environment, context.Files);
        await context.Stdout.WriteAsync(run?.Stdout ?? "");
        await context.Stderr.WriteAsync(run?.Stderr ?? "");
        if (failure is not null)
        {
            await context.Stderr.WriteAsync(failure + "\n");
            return run?.ExitCode ?? 2;
        }

        // exec sleep infinity: until a signal ends it.
        await context.SleepAsync(Timeout.InfiniteTimeSpan);
        return 0;
    }
}
