namespace KafkaDemo.Overseer.Control;

/// <summary>What the recent good windows say about how the p99 moves with the rate near a target.</summary>
public enum Slope
{
    /// <summary>Not enough windows at this rate and well below it to tell.</summary>
    Unknown,

    /// <summary>The p99 here is clearly higher than well below this rate: the edge is near.</summary>
    Follows,

    /// <summary>The p99 here is no higher than well below this rate: it says nothing about capacity here.</summary>
    Ignores,
}

/// <summary>
/// Tells a p99 in the SLO band that marks the edge from one that does not: the low-rate floor. Live
/// (docs/controller.md, 2026-12-08 00:46) the p99 at 1,200 to 2,500 msg/s was 14 to 24 ms against 12 ms
/// at 10,000 to 35,000 msg/s: below the knee the clients' and brokers' threads sleep and wake between
/// small batches, so the p99 falls as the rate rises and a p99 in the band there says nothing about
/// capacity. Near the knee the p99 rises steeply with the rate. So the good windows of the last
/// minute are compared: those at this rate (within one re-probe step) against those
/// <see cref="Step"/> or more below it, by their medians (single windows are noisy at both ends).
/// Pure logic: the windows carry their own time.
/// </summary>
/// <param name="reprobeFactor">The controller's smallest step: windows within it of a rate count as at that rate.</param>
/// <param name="trailWindows">How many good windows to remember.</param>
/// <param name="edgeMemory">How long a rate where the p99 was seen to follow the rate stays evidence of the edge there.</param>
public sealed class LatencySlope(double reprobeFactor, int trailWindows, TimeSpan edgeMemory)
{
    /// <summary>How much lower a rate must be to compare against: 15 %, three re-probe steps.</summary>
    public const double Step = 1.15;

    /// <summary>
    /// How much higher the p99 here must be, by the medians, to show that it follows the rate: 10 %.
    /// On the simulated plant 15 % more rate near the knee raises the p99 by about 18 % (less in the
    /// first window, which lags); on the floor it lowers it a little.
    /// </summary>
    public const double ClearRise = 1.10;

    private readonly Queue<(double Rate, double P99)> _trail = new();
    private (double Rate, DateTimeOffset At)? _edge;

    /// <summary>
    /// Judges a good window (within the SLO, producers on schedule) against the trail, then adds it.
    /// A window that shows the p99 following the rate marks the edge there; one in the band
    /// (<paramref name="inBand"/>) near the edge, that does not show it ignoring the rate, keeps that
    /// edge in memory. One that shows it ignoring the rate does not withdraw an edge: near the knee a
    /// wandering capacity can make the p99 at a lower rate as high for a while.
    /// </summary>
    public Slope Judge(DateTimeOffset at, double rate, double p99, bool inBand)
    {
        Forget(at);
        var slope = Compare(rate, p99);
        if (slope == Slope.Follows)
        {
            _edge = (rate, at);
        }
        else if (slope == Slope.Unknown && inBand && _edge is { } edge && IsNearEdge(rate))
        {
            _edge = (edge.Rate, at);
        }

        _trail.Enqueue((rate, p99));
        if (_trail.Count > trailWindows)
        {
            _trail.Dequeue();
        }

        return slope;
    }

    /// <summary>
    /// Marks the edge at <paramref name="rate"/>: a raise from it breached the SLO, so the p99 there
    /// was the edge whatever the trail shows.
    /// </summary>
    public void MarkEdge(DateTimeOffset at, double rate) => _edge = (rate, at);

    /// <summary>Withdraws the edge if it is at <paramref name="rate"/>: what marked it was not the edge after all.</summary>
    public void WithdrawEdge(double rate)
    {
        if (_edge is { } edge && Math.Abs(edge.Rate - rate) <= 0.5)
        {
            _edge = null;
        }
    }

    /// <summary>A breach near the edge keeps it in memory there: the edge is where the SLO is breached.</summary>
    public void Breached(DateTimeOffset at, double rate)
    {
        Forget(at);
        if (_edge is { } edge && IsNearEdge(rate))
        {
            _edge = (edge.Rate, at);
        }
    }

    private void Forget(DateTimeOffset at)
    {
        if (_edge is { } old && at - old.At > edgeMemory)
        {
            _edge = null;
        }
    }

    /// <summary>
    /// Whether a p99 in the band at <paramref name="rate"/> can be trusted as the edge: the p99 was
    /// seen to follow the rate within two <see cref="Step"/>s of it, recently.
    /// </summary>
    public bool IsNearEdge(double rate) => _edge is { } edge && rate >= edge.Rate / (Step * Step) && rate <= edge.Rate * Step * Step;

    private Slope Compare(double rate, double p99)
    {
        List<double> here = [p99];
        List<double> lower = [];
        foreach (var (seenRate, seenP99) in _trail)
        {
            if (seenRate * Step <= rate)
            {
                lower.Add(seenP99);
            }
            else if (IsAt(seenRate, rate))
            {
                here.Add(seenP99);
            }
        }

        if (here.Count < 2 || lower.Count < 2)
        {
            return Slope.Unknown;
        }

        var (hereMedian, lowerMedian) = (Median(here), Median(lower));
        return hereMedian <= lowerMedian ? Slope.Ignores
            : hereMedian >= ClearRise * lowerMedian ? Slope.Follows
            : Slope.Unknown;
    }

    private bool IsAt(double seen, double rate) => seen <= rate * reprobeFactor * 1.001 && seen * reprobeFactor * 1.001 >= rate;

    private static double Median(List<double> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
