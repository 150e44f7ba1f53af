using HdrHistogram;

namespace KafkaDemo.Overseer.Aggregation;

/// <summary>
/// One wall-clock second, merged exactly across every instance that reported it. Histograms are in
/// microseconds; each histogram's count is also the number of events of that second (messages
/// verified, sent, acknowledged).
/// </summary>
public sealed record MergedInterval(
    long EndUnixSeconds,
    HistogramBase Latency,
    HistogramBase LatencyFromActualSend,
    HistogramBase PublishDelay,
    HistogramBase PublishLatency,
    int Consumers,
    int Producers)
{
    public DateTimeOffset End => DateTimeOffset.FromUnixTimeSeconds(EndUnixSeconds);
}
