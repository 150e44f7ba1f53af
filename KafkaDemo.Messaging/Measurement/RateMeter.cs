using KafkaDemo.Messaging.Contracts;

namespace KafkaDemo.Messaging.Measurement;

/// <summary>
/// Turns a monotonically growing total into rates over the last one and ten intervals.
/// <see cref="Sample"/> is called by <see cref="IntervalClock"/>; <see cref="Rates"/> from anywhere.
/// </summary>
public sealed class RateMeter(Func<long> total)
{
    private const int Depth = LatencyWindows.ShortWindowIntervals + 1;

    private readonly Func<long> _total = total ?? throw new ArgumentNullException(nameof(total));
    private readonly (long Total, long Micros)[] _samples = new (long, long)[Depth];
    private readonly Lock _gate = new();
    private int _count;
    private int _next;

    public void Sample(long nowMicros)
    {
        lock (_gate)
        {
            _samples[_next] = (_total(), nowMicros);
            _next = (_next + 1) % Depth;
            _count = Math.Min(_count + 1, Depth);
        }
    }

    public RateSummary Rates()
    {
        lock (_gate)
        {
            return new RateSummary(RateOver(1), RateOver(Depth - 1));
        }
    }

    private double RateOver(int intervals)
    {
        var span = Math.Min(intervals, _count - 1);
        if (span < 1)
        {
            return 0;
        }

        var newest = _samples[(_next + Depth - 1) % Depth];
        var oldest = _samples[(_next + Depth - 1 - span) % Depth];
        var micros = newest.Micros - oldest.Micros;
        return micros <= 0 ? 0 : Math.Round((newest.Total - oldest.Total) * 1_000_000.0 / micros, 1);
    }
}
