extern alias overseer;

using KafkaDemo.Messaging.Measurement;
using overseer::KafkaDemo.Overseer.Aggregation;
using overseer::KafkaDemo.Overseer.KubernetesApi;
using overseer::KafkaDemo.Overseer.StrimziWatch;
using overseer::KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.UnitTests.Overseer;

/// <summary>The run timeline and the cluster record stay within their bounds; the export still covers the whole run.</summary>
public sealed class TimelineBoundsTests
{
    private static MergedInterval Second(long label, int messages)
    {
        var latency = LatencyHistograms.Create();
        for (var i = 0; i < messages; i++)
        {
            latency.RecordValue(1_000);
        }

        return new MergedInterval(label, latency, LatencyHistograms.Create(), LatencyHistograms.Create(), LatencyHistograms.Create(), 1, 1);
    }

    [Fact]
    public void Export_buckets_past_the_bound_merge_into_coarser_intervals_that_still_cover_the_whole_run()
    {
        var timeline = new RunTimeline(exportIntervalSeconds: 1, warmupSeconds: 0, maxBuckets: 4);
        const int seconds = 50;
        for (var s = 1; s <= seconds; s++)
        {
            timeline.Add(Second(1_000 + s, s), targetRate: s);
            var now = timeline.Snapshot().Buckets;
            Assert.InRange(now.Count, 1, 4);
        }

        var run = timeline.Snapshot();

        // Bounded, and contiguous from the first second to the last: nothing dropped.
        Assert.InRange(run.Buckets.Count, 2, 4);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_000), run.Buckets[0].Start);
        for (var i = 1; i < run.Buckets.Count; i++)
        {
            Assert.Equal(run.Buckets[i - 1].Start.AddSeconds(run.Buckets[i - 1].Seconds), run.Buckets[i].Start);
        }

        Assert.Equal(seconds, run.Buckets.Sum(b => b.Seconds));
        // Older intervals are at least as coarse as newer ones, and the newest is still one second.
        Assert.True(run.Buckets[0].Seconds > 1, "No interval was merged.");
        Assert.Equal(1, run.Buckets[^1].Seconds);
        // Counts add up and rates average exactly over the whole run.
        Assert.Equal(seconds * (seconds + 1) / 2, run.Buckets.Sum(b => b.Consumed));
        Assert.Equal((seconds + 1) / 2.0, run.Buckets.Sum(b => b.TargetRate * b.Seconds) / seconds, 9);
        Assert.Equal(run.Buckets.Sum(b => b.Consumed), run.Buckets.Sum(b => b.ConsumeRate * b.Seconds), 6);
        Assert.Equal(seconds, run.AggregatedSeconds);
        var export = RunExport.Build(run, new RunContext("embedded", [], "512", 1, 1, 25, null), 1, 0, DateTimeOffset.UnixEpoch);
        Assert.Equal(run.Buckets.Count, export["intervalStartTimes"]!.AsArray().Count);
        Assert.Equal(run.Buckets.Select(b => b.Seconds), export["intervalSeconds"]!.AsArray().Select(n => (int)n!));
    }

    [Fact]
    public void A_merged_interval_has_exact_counts_and_means_and_quantiles_no_lower_than_either_part()
    {
        var timeline = new RunTimeline(exportIntervalSeconds: 1, warmupSeconds: 0, maxBuckets: 2);
        timeline.Add(MergedSeconds.Of(1_001, 2_000, 10), targetRate: 10);
        timeline.Add(MergedSeconds.Of(1_002, 40_000, 30), targetRate: 30);
        var parts = timeline.Snapshot().Buckets;
        timeline.Add(MergedSeconds.Of(1_003, 1_000, 1), targetRate: 1);

        var merged = timeline.Snapshot().Buckets[0];

        Assert.Equal(2, merged.Seconds);
        Assert.Equal(40, merged.Consumed);
        Assert.Equal(20, merged.TargetRate, 9);
        Assert.Equal(40, merged.EndToEnd.Count);
        Assert.Equal(((parts[0].EndToEnd.Mean * 10) + (parts[1].EndToEnd.Mean * 30)) / 40, merged.EndToEnd.Mean, 9);
        Assert.Equal(Math.Max(parts[0].EndToEnd.P99, parts[1].EndToEnd.P99), merged.EndToEnd.P99);
        Assert.Equal(Math.Max(parts[0].EndToEnd.Max, parts[1].EndToEnd.Max), merged.EndToEnd.Max);
    }

    [Fact]
    public void Points_and_events_past_their_bounds_are_dropped_oldest_first()
    {
        var timeline = new RunTimeline(exportIntervalSeconds: 10, warmupSeconds: 0, maxPoints: 5, maxEvents: 4);
        for (var s = 1; s <= 12; s++)
        {
            timeline.Add(Second(1_000 + s, 1), targetRate: s);
            timeline.AddEvent(new TimelineEvent(DateTimeOffset.FromUnixTimeSeconds(1_000 + s), EventKinds.Manual, $"event {s}"));
        }

        Assert.Equal([8.0, 9.0, 10.0, 11.0, 12.0], timeline.Recent(100).Select(p => p.TargetRate));
        Assert.Equal(["event 9", "event 10", "event 11", "event 12"], timeline.Snapshot().Events.Select(e => e.Message));
    }

    [Fact]
    public void The_default_bounds_are_the_stated_constants()
    {
        Assert.Equal(3600, RunTimeline.MaxPoints);
        Assert.Equal(8640, RunTimeline.MaxBuckets);
        Assert.Equal(10_000, RunTimeline.MaxEvents);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunTimeline(maxBuckets: 0));
    }

    [Fact]
    public void Cluster_changes_past_the_bound_are_dropped_oldest_first()
    {
        var state = new KafkaResourceState(new RunTimeline());
        for (var i = 0; i < KafkaResourceState.MaxChanges + 10; i++)
        {
            state.Add(new ClusterChange(DateTimeOffset.UnixEpoch, "Kafka kafkademo", i, "kubectl-patch", []));
        }

        Assert.Equal(KafkaResourceState.MaxChanges, state.Changes.Count);
        Assert.Equal(10, state.Changes[0].Generation);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 16)]
    [InlineData(6, 30)]
    [InlineData(1000, 30)]
    public void Retries_wait_longer_after_each_failure_in_a_row_up_to_a_bound(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)).Delay(failures));
}

/// <summary>The reused export interval and the ring of seconds give the same figures as fresh ones would.</summary>
public sealed class TimelineReuseTests
{
    private static MergedInterval Second(long label, int messages, long micros) => MergedSeconds.Of(label, micros, messages);

    [Fact]
    public void Each_export_interval_counts_only_its_own_seconds_after_the_builder_is_reused()
    {
        var timeline = new RunTimeline(exportIntervalSeconds: 2, warmupSeconds: 0);
        timeline.Add(Second(1_001, 100, 50_000), targetRate: 10);
        timeline.Add(Second(1_002, 100, 50_000), targetRate: 10);
        timeline.Add(Second(1_003, 4, 1_000), targetRate: 30);
        timeline.Add(Second(1_004, 6, 1_000), targetRate: 50);

        var buckets = timeline.Snapshot().Buckets;

        Assert.Equal(2, buckets.Count);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_000), buckets[0].Start);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_002), buckets[1].Start);
        Assert.Equal(100, buckets[0].ConsumeRate);
        Assert.Equal(5, buckets[1].ConsumeRate);
        Assert.Equal(40, buckets[1].TargetRate);
        Assert.True(buckets[1].EndToEnd.P99 < 2, $"The second interval's p99 {buckets[1].EndToEnd.P99} ms holds the first interval's 50 ms.");
    }

    [Fact]
    public void Recent_seconds_come_oldest_first_across_the_ring_wrapping_around()
    {
        var timeline = new RunTimeline(exportIntervalSeconds: 10, warmupSeconds: 0, maxPoints: 4);
        for (var s = 1; s <= 6; s++)
        {
            timeline.Add(Second(1_000 + s, 1, 1_000), targetRate: s);
        }

        Assert.Equal([5.0, 6.0], timeline.Recent(2).Select(p => p.TargetRate));
        Assert.Equal([3.0, 4.0, 5.0, 6.0], timeline.Recent(10).Select(p => p.TargetRate));
        Assert.Empty(timeline.Recent(0));
        Assert.Empty(new RunTimeline(maxPoints: 4).Recent(3));
    }
}
