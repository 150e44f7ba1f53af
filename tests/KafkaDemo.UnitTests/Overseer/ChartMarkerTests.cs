extern alias overseer;

using overseer::KafkaDemo.Overseer.Components.Dashboard;
using overseer::KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.UnitTests.Overseer;

public sealed class ChartMarkerTests
{
    private static readonly DateTime Start = new(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);

    private static ChartMarker At(int second, string label, bool cause = false) => new(Start.AddSeconds(second), label, "#000", cause);

    [Fact]
    public void A_fault_stays_on_the_chart_when_many_controller_decisions_follow_it()
    {
        var markers = new List<ChartMarker> { At(10, "fault", cause: true) };
        markers.AddRange(Enumerable.Range(0, 20).Select(i => At(20 + (i * 5), "rate ↓")));

        var shown = ChartMarker.InView(markers, Start, Start.AddSeconds(300), max: 6);

        Assert.Equal(6, shown.Count);
        Assert.Equal("fault", shown[0].Marker.Label);
        Assert.Equal(Start.AddSeconds(10), shown[0].Marker.Time);
        Assert.Equal(5, shown.Count(s => s.Marker.Label == "rate ↓"));
        Assert.Equal(Start.AddSeconds(115), shown[^1].Marker.Time); // the newest reactions fill the rest
        Assert.True(shown.Select(s => s.Marker.Time).SequenceEqual(shown.Select(s => s.Marker.Time).Order()));
    }

    [Fact]
    public void A_restart_is_marked_on_the_charts_as_a_cause()
    {
        var model = new DashboardModel(null!, null!, [], [
            new(new DateTimeOffset(Start.AddSeconds(5)), EventKinds.Fleet, "consumer restarted (a new process); its earlier counts stay in the totals: 10 verified, 0 integrity failures, 0 gaps, 0 duplicates"),
            new(new DateTimeOffset(Start.AddSeconds(9)), EventKinds.SloBreach, "SLO breach: p99 30 ms > 25 ms at 2000/s"),
        ]);

        var marker = Assert.Single(model.Markers);
        Assert.Equal("restart", marker.Label);
        Assert.True(marker.Cause);
    }

    [Fact]
    public void Markers_outside_the_span_are_left_out_and_close_ones_lose_their_label()
    {
        var markers = new[] { At(-5, "old", cause: true), At(50, "fault", cause: true), At(51, "rate ↓"), At(90, "rate ↑") };

        var shown = ChartMarker.InView(markers, Start, Start.AddSeconds(100), max: 6);

        Assert.Equal(["fault", "rate ↓", "rate ↑"], shown.Select(s => s.Marker.Label));
        Assert.Equal([true, false, true], shown.Select(s => s.Labelled));
    }
}
