using HdrHistogram;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;

namespace KafkaDemo.Overseer.Aggregation;

/// <summary>
/// Collects the one-second histogram intervals every producer and consumer reports and merges
/// those with the same label exactly (histograms are added, never percentiles averaged). A
/// second is released once every live instance has reported it, or once it is
/// <see cref="MaxLagSeconds"/> old; an instance's late intervals for a released second are
/// counted in <see cref="LateIntervals"/> and dropped. Not thread-safe.
/// </summary>
public sealed class IntervalMerger
{
    /// <summary>How long a second waits for a slow instance before it is released without it.</summary>
    public const int MaxLagSeconds = 5;

    private readonly SortedDictionary<long, Pending> _pending = [];
    private readonly Dictionary<string, long> _lastLabel = new(StringComparer.Ordinal);
    private long _released;

    /// <summary>The last second released.</summary>
    public long ReleasedThrough => _released;

    /// <summary>Intervals that arrived after their second had been released.</summary>
    public long LateIntervals { get; private set; }

    /// <summary>The newest label an instance has reported, so it can ask only for newer ones.</summary>
    public long LastLabel(string instance) => _lastLabel.TryGetValue(instance, out var label) ? label : 0;

    /// <summary>Adds everything one instance reported.</summary>
    /// <exception cref="FormatException">A histogram is not decodable.</exception>
    public void Add(string instance, bool isProducer, IntervalSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        foreach (var (name, intervals) in series.Series)
        {
            foreach (var interval in intervals)
            {
                _lastLabel[instance] = Math.Max(LastLabel(instance), interval.EndUnixSeconds);
                if (interval.EndUnixSeconds <= _released)
                {
                    LateIntervals++;
                    continue;
                }

                if (!_pending.TryGetValue(interval.EndUnixSeconds, out var pending))
                {
                    pending = new Pending();
                    _pending[interval.EndUnixSeconds] = pending;
                }

                pending.Add(instance, isProducer, name, LatencyHistograms.Decode(interval.Histogram));
            }
        }
    }

    /// <summary>
    /// Releases, in order, every second that all <paramref name="liveInstances"/> have reported, and
    /// every second older than <see cref="MaxLagSeconds"/> before <paramref name="nowUnixSeconds"/>.
    /// </summary>
    public IReadOnlyList<MergedInterval> Release(IReadOnlyCollection<string> liveInstances, long nowUnixSeconds)
    {
        ArgumentNullException.ThrowIfNull(liveInstances);
        var complete = liveInstances.Count == 0 ? long.MaxValue : liveInstances.Min(LastLabel);
        var released = new List<MergedInterval>();
        while (_pending.Count > 0)
        {
            var (label, pending) = _pending.First();
            if (label > complete && label > nowUnixSeconds - MaxLagSeconds)
            {
                break;
            }

            _pending.Remove(label);
            _released = label;
            released.Add(pending.Merge(label));
        }

        return released;
    }

    private sealed class Pending
    {
        private readonly HistogramBase _latency = LatencyHistograms.Create();
        private readonly HistogramBase _fromActual = LatencyHistograms.Create();
        private readonly HistogramBase _publishDelay = LatencyHistograms.Create();
        private readonly HistogramBase _publishLatency = LatencyHistograms.Create();
        private readonly HashSet<string> _consumers = new(StringComparer.Ordinal);
        private readonly HashSet<string> _producers = new(StringComparer.Ordinal);

        public void Add(string instance, bool isProducer, string series, HistogramBase histogram)
        {
            (isProducer ? _producers : _consumers).Add(instance);
            var target = series switch
            {
                SeriesNames.Latency => _latency,
                SeriesNames.LatencyFromActualSend => _fromActual,
                SeriesNames.PublishDelay => _publishDelay,
                SeriesNames.PublishLatency => _publishLatency,
                _ => null,
            };
            target?.Add(histogram);
        }

        public MergedInterval Merge(long label) =>
            new(label, _latency, _fromActual, _publishDelay, _publishLatency, _consumers.Count, _producers.Count);
    }
}
