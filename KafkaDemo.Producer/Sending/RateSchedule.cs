using KafkaDemo.Messaging.Limits;

namespace KafkaDemo.Producer.Sending;

/// <summary>
/// The open-loop send schedule: message <c>i</c> is intended for <c>anchor + (i - anchorIndex) / rate</c>,
/// whether or not earlier messages went out on time. A producer that falls behind keeps its
/// intended times, so the lag shows up as publish delay instead of being hidden (no coordinated
/// omission). Pure arithmetic on microsecond timestamps; not thread-safe.
/// </summary>
/// <remarks>
/// Rates are those of <see cref="RateLimit"/>: at least 1 msg/s, so one interval is at most a
/// second, and the arithmetic saturates instead of overflowing however far a message is from the anchor.
/// </remarks>
public sealed class RateSchedule
{
    private long _anchorMicros;
    private long _anchorIndex;
    private double _microsPerMessage;

    /// <summary>Messages per second; 0 means unthrottled (every message is due at once).</summary>
    public double Rate { get; private set; }

    public bool IsUnthrottled => Rate == RateLimit.Unthrottled;

    /// <summary>Starts (or restarts, after a pause) the schedule: message <paramref name="index"/> is due at <paramref name="nowMicros"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not a valid rate (<see cref="RateLimit"/>).</exception>
    public void Start(long nowMicros, double rate, long index)
    {
        if (RateLimit.Problem(rate) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The rate " + problem);
        }

        Rate = rate;
        _microsPerMessage = rate == RateLimit.Unthrottled ? 0 : 1_000_000.0 / rate;
        _anchorMicros = nowMicros;
        _anchorIndex = index;
    }

    /// <summary>
    /// Changes the rate from message <paramref name="nextIndex"/> on, at once. A producer behind its
    /// schedule keeps the next message's intended time, so a backlog is neither dropped nor
    /// doubled. One ahead of it does not wait out the old interval: the next message is due no
    /// later than one new interval from <paramref name="nowMicros"/>. Leaving unthrottled mode
    /// anchors at <paramref name="nowMicros"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not a valid rate (<see cref="RateLimit"/>).</exception>
    public void ChangeRate(double rate, long nextIndex, long nowMicros)
    {
        var newInterval = rate == RateLimit.Unthrottled ? 0 : (long)Math.Ceiling(1_000_000.0 / rate);
        var anchor = IsUnthrottled ? nowMicros : Math.Min(IntendedMicros(nextIndex), nowMicros + newInterval);
        Start(anchor, rate, nextIndex);
    }

    /// <summary>When message <paramref name="index"/> should be sent. Unthrottled, that is the anchor.</summary>
    public long IntendedMicros(long index)
    {
        // Timestamps are far below 2^62 µs (year 146,000), so anchor + offset cannot overflow once
        // the offset is held within ±2^62; beyond that the time saturates.
        const double Saturation = 4_611_686_018_427_387_904d; // 2^62
        var offset = (index - _anchorIndex) * _microsPerMessage;
        return offset >= Saturation ? long.MaxValue
            : offset <= -Saturation ? long.MinValue
            : _anchorMicros + (long)offset;
    }

    /// <summary>How long until message <paramref name="index"/> is due (zero or negative when due), saturating.</summary>
    public long MicrosUntilDue(long index, long nowMicros) =>
        IsUnthrottled ? 0 : (long)Int128.Clamp((Int128)IntendedMicros(index) - nowMicros, long.MinValue, long.MaxValue);
}
