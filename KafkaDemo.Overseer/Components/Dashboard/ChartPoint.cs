namespace KafkaDemo.Overseer.Components.Dashboard;

/// <summary>One value at one time on a chart.</summary>
public sealed record ChartPoint(DateTime Time, double Value);

/// <summary>A named line on a chart.</summary>
public sealed record ChartSeries(string Title, string Color, IReadOnlyList<ChartPoint> Points, bool Dashed = false);

/// <summary>A timeline event drawn on a chart as a labelled vertical marker.</summary>
public sealed record ChartMarker(DateTime Time, string Label, string Color);
