using KafkaDemo.Messaging.Limits;

namespace KafkaDemo.AppHost.Settings;

/// <summary><c>KafkaDemo:Agent</c>: how often the Overseer runs an agent round (k3d mode).</summary>
public sealed class AgentSettings
{
    /// <summary>Seconds between agent rounds.</summary>
    public int IntervalSeconds { get; set; } = AgentLimits.DefaultIntervalSeconds;

    public IEnumerable<string> Validate(string section)
    {
        if (AgentLimits.IntervalProblem($"{section}:IntervalSeconds", IntervalSeconds) is { } problem)
        {
            yield return problem;
        }
    }
}
