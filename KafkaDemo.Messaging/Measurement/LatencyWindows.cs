using HdrHistogram;
using KafkaDemo.Messaging.Contracts;

namespace KafkaDemo.Messaging.Measurement;

/// <summary>
/// One latency measurement (in microseconds) kept over three windows: the last closed one-second
/// interval, the last ten intervals, and everything since start. A bounded history of encoded
/// intervals lets another process fetch every interval exactly once and merge them exactly.
/// </summary>
/// <remarks>
/// <see cref="Record"/> is lock-free and allocation-free and may be called from any thread.
/// <see cref="CloseInterval"/> is called once a second by <see cref="IntervalClock"/>.
/// </remarks>
public sealed class LatencyWindows
{
    /// <summary>Intervals summed for the ten-second window.</summary>
    public const int ShortWindowIntervals = 10;

    /// <summary>Encoded intervals kept for <see cref="IntervalsAfter"/>.</summary>
    public const int HistoryIntervals = 120;

    private readonly Recorder _recorder = LatencyHistograms.CreateRecorder();
    private readonly Lock _gate = new();
    private readonly HistogramBase[] _ring = new HistogramBase[ShortWindowIntervals];
    private readonly HistogramBase _lastTen = LatencyHistograms.Create();
    private readonly HistogramBase _sinceStart = LatencyHistograms.Create();
    private readonly Queue<EncodedInterval> _history = new();
    private HistogramBase? _scratch;
    private int _ringNext;
    private EncodedInterval? _latest;

    public LatencyWindows()
    {
        for (var i = 0; i < _ring.Length; i++)
        {
            _ring[i] = LatencyHistograms.Create();
        }
    }

    /// <summary>Records one measurement, clamped into the trackable range.</summary>
    public void Record(long micros) => _recorder.RecordValue(LatencyHistograms.Clamp(micros));

    /// <summary>Closes the current interval, which ends at <paramref name="endUnixSeconds"/>.</summary>
    public void CloseInterval(long endUnixSeconds)
    {
        lock (_gate)
        {
            var interval = _ring[_ringNext];
            interval.Reset();
            _scratch = _scratch is null ? _recorder.GetIntervalHistogram() : _recorder.GetIntervalHistogram(_scratch);
            interval.Add(_scratch);
            _ringNext = (_ringNext + 1) % _ring.Length;

            _sinceStart.Add(interval);
            _lastTen.Reset();
            foreach (var h in _ring)
            {
                _lastTen.Add(h);
            }

            _latest = new EncodedInterval(endUnixSeconds, interval.TotalCount, LatencyHistograms.Encode(interval));
            _history.Enqueue(_latest);
            while (_history.Count > HistoryIntervals)
            {
                _history.Dequeue();
            }
        }
    }

    /// <summary>Percentiles over the three windows.</summary>
    public LatencyWindowSummaries Summaries()
    {
        lock (_gate)
        {
            var lastIndex = (_ringNext + _ring.Length - 1) % _ring.Length;
            return new LatencyWindowSummaries(
                LatencyHistograms.Summarize(_ring[lastIndex]),
                LatencyHistograms.Summarize(_lastTen),
                LatencyHistograms.Summarize(_sinceStart));
        }
    }

    /// <summary>The encoded last interval and the encoded histogram since start.</summary>
    public HistogramSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new HistogramSnapshot(
                "us",
                LatencyHistograms.EncodingName,
                _latest,
                LatencyHistograms.Encode(_sinceStart));
        }
    }

    /// <summary>Closed intervals that end after <paramref name="afterUnixSeconds"/>, oldest first.</summary>
    public IReadOnlyList<EncodedInterval> IntervalsAfter(long afterUnixSeconds)
    {
        lock (_gate)
        {
            return [.. _history.Where(i => i.EndUnixSeconds > afterUnixSeconds)];
        }
    }
}
