namespace KafkaDemo.AppHost.Settings;

/// <summary><c>KafkaDemo:Agent</c>: how often the Overseer runs an agent round (k3d mode).</summary>
public sealed class AgentSettings
{
    /// <summary>Seconds between agent rounds.</summary>
    public int IntervalSeconds { get; set; } = 120;

    public IEnumerable<string> Validate(string section)
    {
        if (IntervalSeconds is < 10 or > 86_400)
        {
            yield return $"{section}:IntervalSeconds must be from 10 to 86400; it is {IntervalSeconds}.";
        }
    }
}
