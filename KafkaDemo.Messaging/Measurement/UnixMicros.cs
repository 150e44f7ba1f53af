namespace KafkaDemo.Messaging.Measurement;

/// <summary>Wall-clock time as microseconds since the Unix epoch, the unit of every envelope timestamp.</summary>
public static class UnixMicros
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>Now, in microseconds since the Unix epoch.</summary>
    public static long Now(this TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return From(timeProvider.GetUtcNow());
    }

    public static long From(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) / TicksPerMicrosecond;

    public static DateTimeOffset ToDateTimeOffset(long micros) =>
        new(DateTime.UnixEpoch.Ticks + (micros * TicksPerMicrosecond), TimeSpan.Zero);
}
