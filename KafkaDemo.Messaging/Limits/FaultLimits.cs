namespace KafkaDemo.Messaging.Limits;

/// <summary>The faults the embedded Kafka accepts: its control API, the dashboard commands and whoever calls them.</summary>
public static class FaultLimits
{
    /// <summary>Largest added round-trip latency, milliseconds (0 removes it).</summary>
    public const int MaxLatencyMs = 10_000;

    /// <summary>Shortest broker outage, seconds.</summary>
    public const int MinOutageSeconds = 1;

    /// <summary>Longest broker outage, seconds.</summary>
    public const int MaxOutageSeconds = 3_600;

    public static bool IsValidLatency(int ms) => ms is >= 0 and <= MaxLatencyMs;

    public static bool IsValidOutage(int seconds) => seconds is >= MinOutageSeconds and <= MaxOutageSeconds;
}
