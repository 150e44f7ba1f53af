using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;

namespace KafkaDemo.Overseer.Aggregation;

/// <summary>The last minute of merged seconds, for figures over the last few seconds. Thread-safe.</summary>
public sealed class RecentIntervals
{
    private const int Capacity = 60;
    private readonly Lock _gate = new();
    private readonly Queue<MergedInterval> _intervals = new();

    public void Add(MergedInterval interval)
    {
        lock (_gate)
        {
            _intervals.Enqueue(interval);
            while (_intervals.Count > Capacity)
            {
                _intervals.Dequeue();
            }
        }
    }

    /// <summary>End-to-end latency merged over the last <paramref name="seconds"/> seconds, and the messages per second.</summary>
    public (LatencySummary Latency, double Rate) Latency(int seconds)
    {
        lock (_gate)
        {
            var recent = _intervals.Skip(Math.Max(0, _intervals.Count - seconds)).ToList();
            var merged = LatencyHistograms.Create();
            foreach (var interval in recent)
            {
                merged.Add(interval.Latency);
            }

            return (LatencyHistograms.Summarize(merged), recent.Count == 0 ? 0 : merged.TotalCount / (double)recent.Count);
        }
    }
}
