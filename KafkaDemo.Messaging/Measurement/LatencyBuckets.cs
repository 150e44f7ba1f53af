namespace KafkaDemo.Messaging.Measurement;

/// <summary>
/// Bucket boundaries (milliseconds) of the OpenTelemetry latency histograms every service exports,
/// so that the dashboard can put producer and consumer latencies side by side. The exact
/// percentiles come from the HdrHistograms (<see cref="LatencyHistograms"/>), not from these.
/// </summary>
public static class LatencyBuckets
{
    public static IReadOnlyList<double> Milliseconds { get; } =
        [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 250, 500, 1000, 2500, 5000, 10000];
}
