namespace KafkaDemo.Overseer.Agent;

/// <summary>Runs a command in the agent's pod, with an argument array (never a shell) and no standard input.</summary>
public interface IAgentChannel
{
    /// <summary>
    /// Runs <paramref name="command"/> in <paramref name="pod"/> (a round looks its pod up once and
    /// runs everything there); each line of its output goes to <paramref name="onLine"/> as it is
    /// written. Throws <see cref="AgentUnavailableException"/> when it cannot run there (the pod is
    /// gone, the connection failed or dropped), <see cref="TimeoutException"/> when it did not
    /// finish within <paramref name="timeout"/>.
    /// </summary>
    Task<AgentCommandResult> RunAsync(AgentPod pod, IReadOnlyList<string> command, Action<AgentOutputLine>? onLine, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The pod commands should run in now. Throws <see cref="AgentUnavailableException"/> when there is none.</summary>
    Task<AgentPod> FindPodAsync(CancellationToken cancellationToken);
}

/// <summary>How a command ended, and what it printed.</summary>
/// <param name="ExitCode">The process's exit code (124 when the in-pod timeout stopped it).</param>
/// <param name="Output">Standard output (at most <see cref="MaxChars"/> characters of it).</param>
/// <param name="Error">Standard error (likewise).</param>
/// <param name="Pod">The pod it ran in (name and uid).</param>
public sealed record AgentCommandResult(int ExitCode, string Output, string Error, AgentPod Pod)
{
    /// <summary>
    /// The most of each stream kept as text. What the Overseer reads whole (vibectl's config file,
    /// <c>llm models list</c>) is a few KB; a round's output is read line by line instead.
    /// </summary>
    public const int MaxChars = 1 << 20;

    /// <summary>The first line starting with <c>Error:</c> on standard error, as vibectl prints every error (console.py print_error), or null.</summary>
    public string? ErrorLine => Error.Split('\n').Select(l => l.TrimEnd()).FirstOrDefault(l => l.StartsWith("Error:", StringComparison.Ordinal));

    /// <summary>The first non-empty line of standard error, else of standard output: what to quote when it failed.</summary>
    public string FirstLine => Error.Split('\n').Concat(Output.Split('\n')).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "no output";
}

/// <summary>The agent's pod: a new uid means a new pod, whose vibectl needs its settings again.</summary>
public sealed record AgentPod(string Name, string Uid);

/// <summary>There is no agent pod to run in (not deployed, not ready, or the cluster is unreachable).</summary>
public sealed class AgentUnavailableException : Exception
{
    public AgentUnavailableException()
    {
    }

    public AgentUnavailableException(string message)
        : base(message)
    {
    }

    public AgentUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
