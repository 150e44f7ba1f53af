using KafkaDemo.Messaging.Measurement;

namespace KafkaDemo.UnitTests.Measurement;

public sealed class LatencyWindowsTests
{
    [Fact]
    public void The_three_windows_cover_the_last_interval_the_last_ten_and_everything()
    {
        var windows = new LatencyWindows();
        for (var second = 1; second <= 12; second++)
        {
            // Interval n holds n values of n ms.
            for (var i = 0; i < second; i++)
            {
                windows.Record(second * 1000);
            }

            windows.CloseInterval(1_000 + second);
        }

        var summaries = windows.Summaries();

        Assert.Equal(12, summaries.Last1s.Count);
        Assert.Equal(12.0, summaries.Last1s.Max, 1);
        Assert.Equal(Enumerable.Range(3, 10).Sum(), summaries.Last10s.Count);
        Assert.Equal(3.0, Math.Round(LatencyHistograms.Decode(windows.IntervalsAfter(1_002)[0].Histogram).GetValueAtPercentile(0) / 1000.0), 1);
        Assert.Equal(Enumerable.Range(1, 12).Sum(), summaries.SinceStart.Count);
    }

    [Fact]
    public void Intervals_after_a_label_are_returned_once_and_in_order()
    {
        var windows = new LatencyWindows();
        for (var second = 1; second <= 5; second++)
        {
            windows.Record(100);
            windows.CloseInterval(second);
        }

        Assert.Equal([3L, 4, 5], windows.IntervalsAfter(2).Select(i => i.EndUnixSeconds));
        Assert.Empty(windows.IntervalsAfter(5));
        Assert.Equal(5, windows.Snapshot().LastInterval!.EndUnixSeconds);
    }

    [Fact]
    public void The_history_is_bounded()
    {
        var windows = new LatencyWindows();
        for (var second = 1; second <= LatencyWindows.HistoryIntervals + 30; second++)
        {
            windows.CloseInterval(second);
        }

        Assert.Equal(LatencyWindows.HistoryIntervals, windows.IntervalsAfter(0).Count);
    }

    [Fact]
    public void Recording_from_several_threads_loses_nothing()
    {
        var windows = new LatencyWindows();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                windows.Record(i % 5000);
            }
        });
        windows.CloseInterval(1);

        Assert.Equal(80_000, windows.Summaries().SinceStart.Count);
    }
}
