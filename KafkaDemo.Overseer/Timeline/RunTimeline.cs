using HdrHistogram;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.Overseer.Aggregation;

namespace KafkaDemo.Overseer.Timeline;

/// <summary>
/// The run as it happens: one point per second (for the charts), export buckets of
/// <see cref="ExportIntervalSeconds"/> (for <c>/api/run</c>), histograms aggregated after the
/// warm-up, and the event list. Thread-safe, and bounded in memory (the Overseer runs for days):
/// the seconds and events keep their newest entries up to a stated bound, the export buckets
/// always cover the whole run and, past <see cref="MaxBuckets"/>, merge their older half pairwise
/// into coarser intervals; the aggregated histograms have a fixed size.
/// The seconds are a ring of <see cref="MaxPoints"/> slots, and the export interval being filled
/// reuses its three histograms (188 KB each, on the large-object heap) from one interval to the
/// next, so a steady run allocates no large objects and its memory stops growing once the
/// bounds are reached.
/// </summary>
public sealed class RunTimeline : IMergedSecondListener
{
    /// <summary>
    /// Seconds kept for the charts: one hour, the longest a chart shows (the upper bound of
    /// <c>Overseer:ChartSeconds</c>); a point with its three summaries is about 400 bytes, so at most
    /// about 1.5 MB. The whole run is in the export buckets.
    /// </summary>
    public const int MaxPoints = 3600;

    /// <summary>
    /// Export intervals kept at most: 24 hours at the default 10 s interval (2.4 hours at 1 s). Each
    /// adds one value to some 30 series of <c>/api/run</c>, so the document stays near 2 MB. Past it,
    /// the older half of the intervals is merged pairwise (<see cref="ExportBucket.Merge"/>), so the
    /// export still covers the whole run, its old intervals coarser than its recent ones.
    /// </summary>
    public const int MaxBuckets = 8640;

    /// <summary>Events kept: a busy run (a controller decision every few seconds) makes a few thousand a day.</summary>
    public const int MaxEvents = 10_000;

    private readonly Lock _gate = new();
    private readonly TimelinePoint[] _points;
    private readonly List<ExportBucket> _buckets = [];
    private readonly List<TimelineEvent> _events = [];
    private readonly int _maxPoints;
    private readonly int _maxEvents;
    private readonly HistogramBase _aggregateLatency = LatencyHistograms.Create();
    private readonly HistogramBase _aggregatePublishDelay = LatencyHistograms.Create();
    private readonly HistogramBase _aggregatePublishLatency = LatencyHistograms.Create();
    private readonly int _maxBuckets;
    private readonly BucketBuilder _open = new();
    private int _pointCount;
    private int _pointNext;
    private long _aggregateSeconds;

    public RunTimeline(int exportIntervalSeconds = 10, int warmupSeconds = 30, int maxPoints = MaxPoints, int maxEvents = MaxEvents, int maxBuckets = MaxBuckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exportIntervalSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSeconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuckets, 1);
        ExportIntervalSeconds = exportIntervalSeconds;
        WarmupSeconds = warmupSeconds;
        _maxPoints = maxPoints;
        _points = new TimelinePoint[maxPoints];
        _maxEvents = maxEvents;
        _maxBuckets = maxBuckets;
    }

    /// <summary>Fired after every change (new second or new event); handlers must not block.</summary>
    public event Action? Changed;

    public int ExportIntervalSeconds { get; }

    public int WarmupSeconds { get; }

    /// <summary>The first second of the run, once one was recorded.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    public Task OnSecondAsync(MergedInterval interval, double targetRate, CancellationToken cancellationToken)
    {
        Add(interval, targetRate);
        return Task.CompletedTask;
    }

    public void Add(MergedInterval interval, double targetRate)
    {
        ArgumentNullException.ThrowIfNull(interval);
        lock (_gate)
        {
            StartedAt ??= interval.End.AddSeconds(-1);
            _points[_pointNext] = new TimelinePoint(
                interval.End,
                targetRate,
                interval.PublishDelay.TotalCount,
                interval.PublishLatency.TotalCount,
                interval.Latency.TotalCount,
                LatencyHistograms.Summarize(interval.Latency),
                LatencyHistograms.Summarize(interval.PublishDelay),
                LatencyHistograms.Summarize(interval.PublishLatency));
            _pointNext = (_pointNext + 1) % _maxPoints;
            _pointCount = Math.Min(_pointCount + 1, _maxPoints);

            if (interval.End - StartedAt.Value > TimeSpan.FromSeconds(WarmupSeconds))
            {
                _aggregateLatency.Add(interval.Latency);
                _aggregatePublishDelay.Add(interval.PublishDelay);
                _aggregatePublishLatency.Add(interval.PublishLatency);
                _aggregateSeconds++;
            }

            if (_open.Seconds == 0)
            {
                _open.Start = interval.End.AddSeconds(-1);
            }

            _open.Add(interval, targetRate);
            if (_open.Seconds >= ExportIntervalSeconds)
            {
                _buckets.Add(_open.BuildAndReset());
                if (_buckets.Count > _maxBuckets)
                {
                    MergeOlderHalf();
                }
            }
        }

        Changed?.Invoke();
    }

    public void AddEvent(TimelineEvent timelineEvent)
    {
        ArgumentNullException.ThrowIfNull(timelineEvent);
        lock (_gate)
        {
            _events.Add(timelineEvent);
            if (_events.Count > _maxEvents)
            {
                _events.RemoveRange(0, _events.Count - _maxEvents);
            }
        }

        Changed?.Invoke();
    }

    /// <summary>The last <paramref name="count"/> seconds.</summary>
    public IReadOnlyList<TimelinePoint> Recent(int count)
    {
        lock (_gate)
        {
            var n = Math.Clamp(count, 0, _pointCount);
            var recent = new TimelinePoint[n];
            for (var i = 0; i < n; i++)
            {
                recent[i] = _points[(_pointNext - n + i + _maxPoints) % _maxPoints];
            }

            return recent;
        }
    }

    /// <summary>The last <paramref name="count"/> events, oldest first.</summary>
    public IReadOnlyList<TimelineEvent> RecentEvents(int count)
    {
        lock (_gate)
        {
            return [.. _events.Skip(Math.Max(0, _events.Count - count))];
        }
    }

    /// <summary>Everything needed to export the run, copied under the lock.</summary>
    public RunSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new RunSnapshot(
                StartedAt,
                [.. _buckets],
                [.. _events],
                _aggregateSeconds,
                _aggregateLatency.Copy(),
                _aggregatePublishDelay.Copy(),
                _aggregatePublishLatency.Copy());
        }
    }

    /// <summary>
    /// Halves the resolution of the older half of the buckets: each pair becomes one interval as
    /// long as both. Every bucket is kept in some interval, so the series still cover the whole run;
    /// the count drops to about three quarters of the bound, so this runs once per quarter of it.
    /// </summary>
    private void MergeOlderHalf()
    {
        var older = Math.Max(2, _buckets.Count / 2 / 2 * 2);
        var merged = new List<ExportBucket>(_maxBuckets);
        for (var i = 0; i < older; i += 2)
        {
            merged.Add(_buckets[i].Merge(_buckets[i + 1]));
        }

        merged.AddRange(_buckets.Skip(older));
        _buckets.Clear();
        _buckets.AddRange(merged);
    }

    /// <summary>The export interval being filled; reset, not replaced, once built.</summary>
    private sealed class BucketBuilder
    {
        private readonly HistogramBase _latency = LatencyHistograms.Create();
        private readonly HistogramBase _publishDelay = LatencyHistograms.Create();
        private readonly HistogramBase _publishLatency = LatencyHistograms.Create();
        private double _targetSum;

        public DateTimeOffset Start { get; set; }

        public int Seconds { get; private set; }

        public void Add(MergedInterval interval, double targetRate)
        {
            _latency.Add(interval.Latency);
            _publishDelay.Add(interval.PublishDelay);
            _publishLatency.Add(interval.PublishLatency);
            _targetSum += targetRate;
            Seconds++;
        }

        public ExportBucket BuildAndReset()
        {
            var bucket = Build();
            _latency.Reset();
            _publishDelay.Reset();
            _publishLatency.Reset();
            _targetSum = 0;
            Seconds = 0;
            return bucket;
        }

        private ExportBucket Build() => new(
            Start,
            Seconds,
            _targetSum / Seconds,
            _publishDelay.TotalCount / (double)Seconds,
            _publishLatency.TotalCount / (double)Seconds,
            _latency.TotalCount / (double)Seconds,
            _publishDelay.TotalCount,
            _latency.TotalCount,
            LatencyHistograms.Summarize(_latency),
            LatencyHistograms.Summarize(_publishDelay),
            LatencyHistograms.Summarize(_publishLatency));
    }
}

/// <summary>One export interval: rates per second and latency summaries (ms).</summary>
/// <param name="Seconds">Its length: <see cref="RunTimeline.ExportIntervalSeconds"/>, or a multiple once merged.</param>
public sealed record ExportBucket(
    DateTimeOffset Start,
    int Seconds,
    double TargetRate,
    double PublishRate,
    double AckRate,
    double ConsumeRate,
    long Sent,
    long Consumed,
    Messaging.Contracts.LatencySummary EndToEnd,
    Messaging.Contracts.LatencySummary PublishDelay,
    Messaging.Contracts.LatencySummary PublishLatency)
{
    /// <summary>
    /// This interval and the one after it as one: counts add up and rates are averaged over the
    /// seconds, exactly. Each latency quantile is the larger of the two, an upper bound of the merged
    /// intervals' quantile (the summaries carry no histogram to merge exactly); the mean is exact.
    /// </summary>
    public ExportBucket Merge(ExportBucket next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var seconds = Seconds + next.Seconds;
        double Average(double a, double b) => ((a * Seconds) + (b * next.Seconds)) / seconds;
        return new ExportBucket(
            Start,
            seconds,
            Average(TargetRate, next.TargetRate),
            Average(PublishRate, next.PublishRate),
            Average(AckRate, next.AckRate),
            Average(ConsumeRate, next.ConsumeRate),
            Sent + next.Sent,
            Consumed + next.Consumed,
            UpperBound(EndToEnd, next.EndToEnd),
            UpperBound(PublishDelay, next.PublishDelay),
            UpperBound(PublishLatency, next.PublishLatency));
    }

    private static Messaging.Contracts.LatencySummary UpperBound(Messaging.Contracts.LatencySummary a, Messaging.Contracts.LatencySummary b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return a.Count == 0 ? b : a;
        }

        var count = a.Count + b.Count;
        return new(
            count,
            ((a.Mean * a.Count) + (b.Mean * b.Count)) / count,
            Math.Max(a.P50, b.P50),
            Math.Max(a.P75, b.P75),
            Math.Max(a.P90, b.P90),
            Math.Max(a.P95, b.P95),
            Math.Max(a.P99, b.P99),
            Math.Max(a.P999, b.P999),
            Math.Max(a.P9999, b.P9999),
            Math.Max(a.Max, b.Max));
    }
}

/// <summary>A consistent copy of the run for export.</summary>
public sealed record RunSnapshot(
    DateTimeOffset? StartedAt,
    IReadOnlyList<ExportBucket> Buckets,
    IReadOnlyList<TimelineEvent> Events,
    long AggregatedSeconds,
    HistogramBase AggregatedEndToEnd,
    HistogramBase AggregatedPublishDelay,
    HistogramBase AggregatedPublishLatency);
