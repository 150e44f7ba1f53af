namespace KafkaDemo.Messaging.Contracts;

/// <summary>Percentiles of one latency window, in milliseconds (microsecond precision).</summary>
public sealed record LatencySummary(
    long Count,
    double Mean,
    double P50,
    double P75,
    double P90,
    double P95,
    double P99,
    double P999,
    double P9999,
    double Max)
{
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>One latency measurement over the last second, the last ten seconds and since start.</summary>
public sealed record LatencyWindowSummaries(LatencySummary Last1s, LatencySummary Last10s, LatencySummary SinceStart);

/// <summary>A rate in events per second over the last second and the last ten seconds.</summary>
public sealed record RateSummary(double Last1s, double Last10s);
