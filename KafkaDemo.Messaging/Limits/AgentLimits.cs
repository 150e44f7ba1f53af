namespace KafkaDemo.Messaging.Limits;

/// <summary>
/// How often the agent runs, written once: the AppHost's <c>KafkaDemo:Agent:IntervalSeconds</c> and
/// the Overseer's <c>Overseer:Agent:IntervalSeconds</c> both start from these and are checked against
/// <see cref="MinIntervalSeconds"/> and <see cref="MaxIntervalSeconds"/> (their <c>[InRange]</c> attributes).
/// </summary>
public static class AgentLimits
{
    /// <summary>Seconds between agent rounds.</summary>
    public const int DefaultIntervalSeconds = 120;

    public const int MinIntervalSeconds = 10;

    public const int MaxIntervalSeconds = 86_400;
}
