using KafkaDemo.Messaging.Limits;
using KafkaDemo.Messaging.Validation;

namespace KafkaDemo.AppHost.Settings;

/// <summary><c>KafkaDemo:Agent</c>: how often the Overseer runs an agent round (k3d mode).</summary>
public sealed class AgentSettings
{
    /// <summary>Seconds between agent rounds.</summary>
    [InRange(AgentLimits.MinIntervalSeconds, AgentLimits.MaxIntervalSeconds,
        ErrorMessage = KafkaDemoSettings.SectionName + ":Agent:IntervalSeconds must be from {1} to {2}; it is {0}.")]
    public int IntervalSeconds { get; set; } = AgentLimits.DefaultIntervalSeconds;
}
