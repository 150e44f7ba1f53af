namespace KafkaDemo.Overseer.BrokerMetrics;

/// <summary>
/// The brokers' latest figures, for the page, the agent's feedback and the run export. Written by
/// <see cref="BrokerMetricsReader"/>; thread-safe (one immutable snapshot, replaced whole).
/// </summary>
public sealed class BrokerMetricsBoard
{
    private BrokerMetricsSnapshot _latest = BrokerMetricsSnapshot.None;

    public BrokerMetricsSnapshot Latest => Volatile.Read(ref _latest);

    /// <summary>The brokers read at <paramref name="at"/>, each with its figures or why it gave none.</summary>
    public void Record(IEnumerable<BrokerReading> readings, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var brokers = readings.OrderBy(r => r.Pod, StringComparer.Ordinal).ToList();
        Volatile.Write(ref _latest, new BrokerMetricsSnapshot(at, brokers, BrokerFigures.Cluster(brokers.Select(b => b.Figures)), null));
    }

    /// <summary>The brokers could not be read at all (their pods not listed): the last readings stay, with why.</summary>
    public void Fail(string problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var latest = Latest;
        Volatile.Write(ref _latest, latest with { Problem = problem });
    }
}
