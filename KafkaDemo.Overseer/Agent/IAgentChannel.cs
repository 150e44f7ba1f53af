namespace KafkaDemo.Overseer.Agent;

/// <summary>Runs a command in the agent's pod, with an argument array (never a shell) and no standard input.</summary>
public interface IAgentChannel
{
    /// <summary>
    /// Runs <paramref name="command"/>; each line of its output goes to <paramref name="onLine"/>
    /// as it is written. Throws <see cref="AgentUnavailableException"/> when there is no pod to run in.
    /// </summary>
    Task<AgentCommandResult> RunAsync(IReadOnlyList<string> command, Action<AgentOutputLine>? onLine, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The pod commands would run in now. Throws <see cref="AgentUnavailableException"/> when there is none.</summary>
    Task<AgentPod> FindPodAsync(CancellationToken cancellationToken);
}

/// <summary>How a command ended, and all it printed.</summary>
/// <param name="ExitCode">The process's exit code (124 when the in-pod timeout stopped it).</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="Pod">The pod it ran in (name and uid).</param>
public sealed record AgentCommandResult(int ExitCode, string Output, string Error, AgentPod Pod);

/// <summary>The agent's pod: a new uid means a new pod, whose vibectl needs its settings again.</summary>
public sealed record AgentPod(string Name, string Uid);

/// <summary>One line a command printed.</summary>
public sealed record AgentOutputLine(DateTimeOffset At, string Text, bool IsError);

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
