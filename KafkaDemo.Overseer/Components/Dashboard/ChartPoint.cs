namespace KafkaDemo.Overseer.Components.Dashboard;

/// <summary>One value at one time on a chart.</summary>
public sealed record ChartPoint(DateTime Time, double Value);

/// <summary>A named line on a chart.</summary>
public sealed record ChartSeries(string Title, string Color, IReadOnlyList<ChartPoint> Points, bool Dashed = false);

/// <summary>
/// A timeline event drawn on a chart as a labelled vertical marker. <paramref name="Cause"/> marks
/// what happened to the system (a fault, a manual change, the agent, a broker setting), as opposed
/// to the controller's reactions to it.
/// </summary>
public sealed record ChartMarker(DateTime Time, string Label, string Color, bool Cause = false)
{
    /// <summary>
    /// The markers to draw between <paramref name="from"/> and <paramref name="to"/>, oldest first:
    /// at most <paramref name="max"/>, causes before the controller's reactions, the newest of
    /// each. A marker closer than 8 % of the span to the previous labelled one keeps its line but
    /// not its label.
    /// </summary>
    public static IReadOnlyList<(ChartMarker Marker, bool Labelled)> InView(IEnumerable<ChartMarker> markers, DateTime from, DateTime to, int max)
    {
        ArgumentNullException.ThrowIfNull(markers);
        var inView = markers.Where(m => m.Time >= from && m.Time <= to).ToList();
        var causes = inView.Where(m => m.Cause).TakeLast(max).ToList();
        var reactions = inView.Where(m => !m.Cause).TakeLast(max - causes.Count);
        var spacing = (to - from) * 0.08;
        var lastLabel = DateTime.MinValue;
        var shown = new List<(ChartMarker, bool)>();
        foreach (var marker in causes.Concat(reactions).OrderBy(m => m.Time))
        {
            var labelled = marker.Time - lastLabel >= spacing;
            if (labelled)
            {
                lastLabel = marker.Time;
            }

            shown.Add((marker, labelled));
        }

        return shown;
    }
}
