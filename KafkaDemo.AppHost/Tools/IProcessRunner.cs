namespace KafkaDemo.AppHost.Tools;

/// <summary>Runs the external tools the k3d mode needs (docker, k3d). Tests put a scripted fake in its place.</summary>
public interface IProcessRunner
{
    /// <summary>
    /// Runs <see cref="ProcessRequest.Program"/> with an argument array (never through a shell),
    /// no standard input, and this process's environment with <see cref="ProcessRequest.Environment"/>
    /// set over it, until it exits or the request's timeout passes.
    /// </summary>
    /// <exception cref="ToolNotFoundException">The program is not on PATH.</exception>
    /// <exception cref="TimeoutException">It ran longer than the request's timeout and was killed.</exception>
    Task<ProcessResult> RunAsync(ProcessRequest request, CancellationToken cancellationToken);
}

/// <param name="Program">The executable, found on PATH.</param>
/// <param name="Arguments">The arguments, passed as they are.</param>
/// <param name="Timeout">After this the process is killed.</param>
/// <param name="OnLine">Receives each line of standard output and standard error as it is written.</param>
/// <param name="Environment">Variables set for the process, over the ones it inherits; null sets none.</param>
public sealed record ProcessRequest(
    string Program, IReadOnlyList<string> Arguments, TimeSpan Timeout, Action<string>? OnLine = null, IReadOnlyDictionary<string, string>? Environment = null)
{
    public string CommandLine => string.Join(' ', [Program, .. Arguments]);
}

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The first non-empty line of standard error, else of standard output: what the tool said went wrong.</summary>
    public string FirstErrorLine =>
        StandardError.Split('\n').Concat(StandardOutput.Split('\n')).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? $"exit code {ExitCode}";
}

/// <summary>A tool is not installed, or not on PATH.</summary>
public sealed class ToolNotFoundException : Exception
{
    public ToolNotFoundException(string program, Exception? innerException = null)
        : base($"{program} not found on PATH", innerException) => Program = program;

    public ToolNotFoundException()
        : this("(unknown)")
    {
    }

    public ToolNotFoundException(string program)
        : this(program, null)
    {
    }

    public string Program { get; }
}
