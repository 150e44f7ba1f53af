extern alias overseer;

using overseer::KafkaDemo.Overseer.Aggregation;

namespace KafkaDemo.UnitTests.Overseer;

public sealed class RecentIntervalsTests
{
    private static MergedInterval Second(long end, long latencyMicros, int count) => MergedSeconds.Of(end, latencyMicros, count);

    [Fact]
    public void Latency_merges_only_the_last_n_seconds_and_gives_their_mean_rate()
    {
        var recent = new RecentIntervals(10);
        recent.Add(Second(1, 90_000, 100));  // an old, slow second
        recent.Add(Second(2, 1_000, 300));
        recent.Add(Second(3, 2_000, 100));

        var (latency, rate) = recent.Latency(2);

        Assert.Equal(400, latency.Count);
        Assert.Equal(200, rate);
        Assert.InRange(latency.Max, 1.99, 2.01); // ms: the 90 ms second is outside the window
    }

    [Fact]
    public void It_keeps_no_more_than_its_capacity_and_repeated_calls_agree()
    {
        var recent = new RecentIntervals(3);
        for (var s = 1; s <= 10; s++)
        {
            recent.Add(Second(s, s * 1_000, 10));
        }

        var first = recent.Latency(60);
        var second = recent.Latency(60);

        Assert.Equal(30, first.Latency.Count); // seconds 8, 9 and 10 only
        Assert.InRange(first.Latency.Max, 9.99, 10.01);
        Assert.Equal(first, second);
    }

    [Fact]
    public void A_capacity_below_one_second_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecentIntervals(0));
}
