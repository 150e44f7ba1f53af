using System.Globalization;

namespace KafkaDemo.Overseer.BrokerMetrics;

/// <summary>
/// The figures a Kafka engineer looks at first, of one broker or of the cluster; each null when it
/// was not exported (or was NaN). Idle ratios below <see cref="SaturatedBelow"/> mean the pool is saturated.
/// </summary>
/// <param name="RequestHandlerIdle">The I/O threads' idle fraction, 0 to 1 (the cluster: the lowest broker's).</param>
/// <param name="NetworkProcessorIdle">The network threads' idle fraction, 0 to 1 (the cluster: the lowest broker's).</param>
/// <param name="RequestQueue">Requests waiting for an I/O thread (the cluster: the total).</param>
/// <param name="ProduceP99Ms">Produce requests' total time, 99th percentile, ms (the cluster: the highest broker's; percentiles of different brokers cannot be merged).</param>
/// <param name="UnderReplicated">Under-replicated partitions (the cluster: the total, since each broker counts only those it leads).</param>
public sealed record BrokerFigures(
    double? RequestHandlerIdle,
    double? NetworkProcessorIdle,
    double? RequestQueue,
    double? ProduceP99Ms,
    double? UnderReplicated)
{
    /// <summary>An idle ratio under this means the pool is saturated: requests wait for a thread.</summary>
    public const double SaturatedBelow = 0.3;

    public static bool IsSaturated(double? idle) => idle < SaturatedBelow;

    /// <summary>One broker's figures from its <c>/metrics</c>.</summary>
    public static BrokerFigures From(PrometheusScrape scrape)
    {
        ArgumentNullException.ThrowIfNull(scrape);
        return new BrokerFigures(
            Lowest(scrape.Named(BrokerMetricNames.RequestHandlerIdle).Select(s => s.Value)),
            Lowest(scrape.Named(BrokerMetricNames.NetworkProcessorIdle).Select(s => s.Value)),
            Total(scrape.Named(BrokerMetricNames.RequestQueueSize).Select(s => s.Value)),
            Highest(scrape.Named(BrokerMetricNames.RequestTotalTimeMs)
                .Where(s => s.Label(BrokerMetricNames.RequestLabel) == BrokerMetricNames.Produce && IsQuantile(s, BrokerMetricNames.P99))
                .Select(s => s.Value)),
            Total(scrape.Named(BrokerMetricNames.UnderReplicatedPartitions).Select(s => s.Value)));
    }

    /// <summary>The cluster's figures from its brokers': the lowest idle ratios, the total queue, the highest p99, the total under-replicated.</summary>
    public static BrokerFigures? Cluster(IEnumerable<BrokerFigures?> brokers)
    {
        ArgumentNullException.ThrowIfNull(brokers);
        var answered = brokers.OfType<BrokerFigures>().ToList();
        return answered.Count == 0 ? null : new BrokerFigures(
            Lowest(answered.Select(b => b.RequestHandlerIdle)),
            Lowest(answered.Select(b => b.NetworkProcessorIdle)),
            Total(answered.Select(b => b.RequestQueue)),
            Highest(answered.Select(b => b.ProduceP99Ms)),
            Total(answered.Select(b => b.UnderReplicated)));
    }

    /// <summary>"0.42", the way ratios are shown.</summary>
    public static string Ratio(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "?";

    /// <summary>"3", "12.5": counts and milliseconds.</summary>
    public static string Number(double? value) => value is { } v ? v.ToString(Math.Abs(v) >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture) : "?";

    private static bool IsQuantile(PrometheusSample sample, double quantile) =>
        double.TryParse(sample.Label(BrokerMetricNames.QuantileLabel), NumberStyles.Float, CultureInfo.InvariantCulture, out var q) && q == quantile;

    private static IEnumerable<double> Known(IEnumerable<double?> values) => values.OfType<double>().Where(double.IsFinite);

    private static double? Lowest(IEnumerable<double> values) => Lowest(values.Select(v => (double?)v));

    private static double? Highest(IEnumerable<double> values) => Highest(values.Select(v => (double?)v));

    private static double? Total(IEnumerable<double> values) => Total(values.Select(v => (double?)v));

    private static double? Lowest(IEnumerable<double?> values) => Known(values).Select(v => (double?)v).Min();

    private static double? Highest(IEnumerable<double?> values) => Known(values).Select(v => (double?)v).Max();

    private static double? Total(IEnumerable<double?> values)
    {
        var known = Known(values).ToList();
        return known.Count == 0 ? null : known.Sum();
    }
}

/// <summary>One broker pod's figures as last read, or why it gave none.</summary>
/// <param name="Pod">The broker pod.</param>
/// <param name="At">When it was read.</param>
/// <param name="Figures">Its figures; null when it did not answer with metrics.</param>
/// <param name="Problem">Why there are no figures: "no answer within 10 s", "503 ServiceUnavailable: ...".</param>
public sealed record BrokerReading(string Pod, DateTimeOffset At, BrokerFigures? Figures, string? Problem);

/// <summary>The latest reading of every broker pod, and the cluster's figures from them.</summary>
/// <param name="At">When the brokers were last read (all at once).</param>
/// <param name="Brokers">Every broker pod found, by name.</param>
/// <param name="Cluster">The cluster's figures from the brokers that answered; null when none did.</param>
/// <param name="Problem">Why the latest attempt read nothing (the pods could not be listed); the readings are then older.</param>
public sealed record BrokerMetricsSnapshot(DateTimeOffset? At, IReadOnlyList<BrokerReading> Brokers, BrokerFigures? Cluster, string? Problem)
{
    public static BrokerMetricsSnapshot None { get; } = new(null, [], null, null);

    /// <summary>Brokers that answered with figures.</summary>
    public int Answering => Brokers.Count(b => b.Figures is not null);
}
