extern alias overseer;

using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;
using overseer::KafkaDemo.Overseer.Aggregation;

namespace KafkaDemo.UnitTests.Overseer;

public sealed class IntervalMergerTests
{
    private static IntervalSeries Consumer(string name, params (long Label, long[] Values)[] intervals) =>
        Series(name, SeriesNames.Latency, intervals);

    private static IntervalSeries Series(string name, string series, params (long Label, long[] Values)[] intervals)
    {
        var encoded = intervals.Select(i =>
        {
            var h = LatencyHistograms.Create();
            foreach (var v in i.Values)
            {
                h.RecordValue(v);
            }

            return new EncodedInterval(i.Label, h.TotalCount, LatencyHistograms.Encode(h));
        }).ToList();
        return new IntervalSeries(name, "us", LatencyHistograms.EncodingName, new Dictionary<string, IReadOnlyList<EncodedInterval>> { [series] = encoded });
    }

    [Fact]
    public void Merged_percentiles_equal_the_percentiles_of_the_union_of_all_consumers()
    {
        var random = new Random(11);
        var all = LatencyHistograms.Create();
        var merger = new IntervalMerger();
        for (var c = 0; c < 3; c++)
        {
            // Very different instances: one fast, one slow, one bimodal.
            var values = Enumerable.Range(0, 20_000).Select(_ => c switch
            {
                0 => 500 + random.Next(2_000),
                1 => 20_000 + random.Next(80_000),
                _ => random.Next(2) == 0 ? 1_000 : 250_000,
            }).Select(v => (long)v).ToArray();
            foreach (var v in values)
            {
                all.RecordValue(v);
            }

            merger.Add($"consumer-{c}", false, Consumer($"consumer-{c}", (100, values)));
        }

        var merged = Assert.Single(merger.Release(["consumer-0", "consumer-1", "consumer-2"], nowUnixSeconds: 100));

        Assert.Equal(all.TotalCount, merged.Latency.TotalCount);
        foreach (var percentile in new[] { 50.0, 75, 90, 95, 99, 99.9, 99.99, 100 })
        {
            Assert.Equal(all.GetValueAtPercentile(percentile), merged.Latency.GetValueAtPercentile(percentile));
        }

        Assert.Equal(3, merged.Consumers);
    }

    [Fact]
    public void A_second_is_released_only_when_every_live_instance_reported_it()
    {
        var merger = new IntervalMerger();
        merger.Add("a", false, Consumer("a", (10, [1_000]), (11, [1_000])));
        merger.Add("b", false, Consumer("b", (10, [2_000])));

        var released = merger.Release(["a", "b"], nowUnixSeconds: 12);

        Assert.Equal([10L], released.Select(r => r.EndUnixSeconds));
        Assert.Equal(2, released[0].Latency.TotalCount);

        merger.Add("b", false, Consumer("b", (11, [3_000])));
        Assert.Equal([11L], merger.Release(["a", "b"], 12).Select(r => r.EndUnixSeconds));
    }

    [Fact]
    public void A_stale_instance_does_not_hold_back_the_others_and_its_late_data_is_dropped()
    {
        var merger = new IntervalMerger();
        merger.Add("a", false, Consumer("a", (10, [1_000]), (11, [1_000]), (12, [1_000])));
        merger.Add("b", false, Consumer("b", (10, [1_000])));

        // b went silent and was marked stale: only a counts.
        var released = merger.Release(["a"], nowUnixSeconds: 13);
        Assert.Equal([10L, 11, 12], released.Select(r => r.EndUnixSeconds));

        merger.Add("b", false, Consumer("b", (11, [9_000])));
        Assert.Equal(1, merger.LateIntervals);
        Assert.Empty(merger.Release(["a", "b"], 13));
    }

    [Fact]
    public void Seconds_older_than_the_lag_limit_are_released_even_if_incomplete()
    {
        var merger = new IntervalMerger();
        merger.Add("a", false, Consumer("a", (10, [1_000])));

        Assert.Empty(merger.Release(["a", "b"], nowUnixSeconds: 12));
        Assert.Single(merger.Release(["a", "b"], nowUnixSeconds: 10 + IntervalMerger.MaxLagSeconds));
    }

    [Fact]
    public void Producer_series_fill_the_publish_histograms_and_counts_are_rates()
    {
        var merger = new IntervalMerger();
        merger.Add("p1", true, Series("p1", SeriesNames.PublishDelay, (5, [10, 20, 30])));
        merger.Add("p2", true, Series("p2", SeriesNames.PublishDelay, (5, [40])));
        merger.Add("p1", true, Series("p1", SeriesNames.PublishLatency, (5, [1_000, 2_000])));

        var merged = Assert.Single(merger.Release(["p1", "p2"], 6));

        Assert.Equal(4, merged.PublishDelay.TotalCount);
        Assert.Equal(2, merged.PublishLatency.TotalCount);
        Assert.Equal(2, merged.Producers);
        Assert.Equal(0, merged.Latency.TotalCount);
        Assert.Equal(5, merger.LastLabel("p1"));
    }
}
