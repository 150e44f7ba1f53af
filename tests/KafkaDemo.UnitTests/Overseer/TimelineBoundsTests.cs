extern alias overseer;

using KafkaDemo.Messaging.Measurement;
using overseer::KafkaDemo.Overseer.Aggregation;
using overseer::KafkaDemo.Overseer.KubernetesApi;
using overseer::KafkaDemo.Overseer.StrimziWatch;
using overseer::KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.UnitTests.Overseer;

/// <summary>The run timeline and the cluster record keep their newest entries up to their bounds; the export says what it dropped.</summary>
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
    public void Export_buckets_past_the_bound_are_dropped_oldest_first_and_the_backlog_runs_on()
    {
        var timeline = new RunTimeline(exportIntervalSeconds: 1, warmupSeconds: 0, maxBuckets: 3);
        for (var s = 1; s <= 10; s++)
        {
            timeline.Add(Second(1_000 + s, 0), targetRate: s);
        }

        var run = timeline.Snapshot();

        Assert.Equal(3, run.Buckets.Count);
        Assert.Equal(7, run.DroppedBuckets);
        Assert.Equal([8.0, 9.0, 10.0], run.Buckets.Select(b => b.TargetRate));
        Assert.Equal(10, run.AggregatedSeconds); // the aggregate covers the whole run
        var export = RunExport.Build(run, new RunContext("embedded", [], "512", 1, 1, 25, null), 1, 0, DateTimeOffset.UnixEpoch);
        Assert.Equal(7, (long)export["droppedIntervals"]!);
        Assert.Equal(3, export["intervalStartTimes"]!.AsArray().Count);
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
        Assert.Equal(6 * 3600, RunTimeline.MaxPoints);
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
