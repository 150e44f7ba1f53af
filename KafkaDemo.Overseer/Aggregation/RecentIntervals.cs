using HdrHistogram;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;

namespace KafkaDemo.Overseer.Aggregation;

/// <summary>
/// The end-to-end latency of the last few merged seconds, for the summary's "last N seconds"
/// figures. Keeps only what those figures need: one latency histogram per second, for
/// <see cref="Capacity"/> seconds, merged into a histogram that is reused. Thread-safe.
/// </summary>
public sealed class RecentIntervals(int capacity) : IMergedSecondListener
{
    private readonly Lock _gate = new();
    private readonly Queue<HistogramBase> _latencies = new();
    private readonly HistogramBase _merged = LatencyHistograms.Create();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "At least one second.");

    public void Add(MergedInterval interval)
    {
        ArgumentNullException.ThrowIfNull(interval);
        lock (_gate)
        {
            _latencies.Enqueue(interval.Latency);
            while (_latencies.Count > Capacity)
            {
                _latencies.Dequeue();
            }
        }
    }

    public Task OnSecondAsync(MergedInterval interval, double targetRate, CancellationToken cancellationToken)
    {
        Add(interval);
        return Task.CompletedTask;
    }

    /// <summary>End-to-end latency merged over the last <paramref name="seconds"/> seconds (at most <see cref="Capacity"/>), and the messages per second.</summary>
    public (LatencySummary Latency, double Rate) Latency(int seconds)
    {
        lock (_gate)
        {
            var skip = Math.Max(0, _latencies.Count - seconds);
            var count = 0;
            _merged.Reset();
            foreach (var latency in _latencies.Skip(skip))
            {
                _merged.Add(latency);
                count++;
            }

            return (LatencyHistograms.Summarize(_merged), count == 0 ? 0 : _merged.TotalCount / (double)count);
        }
    }
}
