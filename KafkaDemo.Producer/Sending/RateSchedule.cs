namespace KafkaDemo.Producer.Sending;

/// <summary>
/// The open-loop send schedule: message <c>i</c> is intended for <c>anchor + (i - anchorIndex) / rate</c>,
/// whether or not earlier messages went out on time. A producer that falls behind keeps its
/// intended times, so the lag shows up as publish delay instead of being hidden (no coordinated
/// omission). Pure arithmetic on microsecond timestamps; not thread-safe.
/// </summary>
public sealed class RateSchedule
{
    private long _anchorMicros;
    private long _anchorIndex;
    private double _microsPerMessage;

    /// <summary>Messages per second; 0 means unthrottled (every message is due at once).</summary>
    public double Rate { get; private set; }

    public bool IsUnthrottled => Rate == 0;

    /// <summary>Starts (or restarts, after a pause) the schedule: message <paramref name="index"/> is due at <paramref name="nowMicros"/>.</summary>
    public void Start(long nowMicros, double rate, long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rate);
        Rate = rate;
        _microsPerMessage = rate == 0 ? 0 : 1_000_000.0 / rate;
        _anchorMicros = nowMicros;
        _anchorIndex = index;
    }

    /// <summary>
    /// Changes the rate from message <paramref name="nextIndex"/> on. The schedule stays continuous:
    /// the next message keeps the time the old rate gave it, so a backlog is neither dropped nor
    /// doubled. Leaving unthrottled mode anchors at <paramref name="nowMicros"/>.
    /// </summary>
    public void ChangeRate(double rate, long nextIndex, long nowMicros)
    {
        var anchor = IsUnthrottled ? nowMicros : IntendedMicros(nextIndex);
        Start(anchor, rate, nextIndex);
    }

    /// <summary>When message <paramref name="index"/> should be sent. Unthrottled, that is the anchor.</summary>
    public long IntendedMicros(long index) =>
        _anchorMicros + (long)((index - _anchorIndex) * _microsPerMessage);

    /// <summary>How long until message <paramref name="index"/> is due (zero or negative when due).</summary>
    public long MicrosUntilDue(long index, long nowMicros) => IsUnthrottled ? 0 : IntendedMicros(index) - nowMicros;
}
