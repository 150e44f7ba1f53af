namespace KafkaDemo.Messaging.Measurement;

/// <summary>Something that closes a measurement interval once a second, driven by <see cref="IntervalClock"/>.</summary>
public interface IIntervalMeasurement
{
    /// <param name="endUnixSeconds">The whole second at which the interval ends (its label).</param>
    /// <param name="nowMicros">The wall clock when the interval was closed.</param>
    void CloseInterval(long endUnixSeconds, long nowMicros);
}
