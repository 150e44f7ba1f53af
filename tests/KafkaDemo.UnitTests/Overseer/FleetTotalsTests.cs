extern alias overseer;

using Microsoft.Extensions.DependencyInjection;
using overseer::KafkaDemo.Overseer.Fleet;
using overseer::KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.UnitTests.Overseer;

/// <summary>The Overseer's counts when instances crash and restart.</summary>
public sealed class FleetTotalsTests : IDisposable
{
    private const string Producer = "http://producer";
    private const string Consumer = "http://consumer";
    private readonly FleetHarness _fleet = new([Producer], [Consumer]);

    public void Dispose() => _fleet.Dispose();

    [Fact]
    public async Task Gaps_and_failures_found_by_a_consumer_that_crashed_stay_in_the_summary()
    {
        var started = _fleet.Time.GetUtcNow();
        _fleet.Instances.Set(Producer, FleetHarness.Producer("producer", started, 1000, 1000, 0));
        _fleet.Instances.Set(Consumer, FleetHarness.Consumer("consumer", started, verified: 990, gaps: 5, duplicates: 2, badMac: 3));
        await _fleet.PollAsync();

        // The consumer crashes: it stops answering and goes stale after 5 s.
        _fleet.Instances.Down[Consumer] = true;
        for (var second = 0; second < 7; second++)
        {
            await _fleet.PollAsync();
        }

        var whileDown = _fleet.Report.Summary();
        Assert.Contains("consumer", whileDown.StaleInstances);
        Assert.Equal((990L, 5L, 2L, 3L), (whileDown.Consumer.Verified, whileDown.Consumer.Gaps, whileDown.Consumer.Duplicates, whileDown.Consumer.IntegrityFailures));

        // It comes back as a new process: its own counts start from zero.
        _fleet.Instances.Down.TryRemove(Consumer, out _);
        _fleet.Instances.Set(Consumer, FleetHarness.Consumer("consumer", _fleet.Time.GetUtcNow(), verified: 40, redelivered: 10));
        await _fleet.PollAsync();

        var after = _fleet.Report.Summary();
        Assert.Empty(after.StaleInstances);
        Assert.Equal(1030, after.Consumer.Verified);
        Assert.Equal(5, after.Consumer.Gaps);
        Assert.Equal(2, after.Consumer.Duplicates);
        Assert.Equal(3, after.Consumer.IntegrityFailures);
        Assert.Equal(10, after.Consumer.Redelivered);
        Assert.Equal(1, after.Consumer.Restarts);
        var restart = Assert.Single(_fleet.Timeline.RecentEvents(50), e => e.Message.Contains("restarted", StringComparison.Ordinal));
        Assert.Equal(EventKinds.Fleet, restart.Kind);
        Assert.Equal("consumer restarted (a new process); its earlier counts stay in the totals: 990 verified, 3 integrity failures, 5 gaps, 2 duplicates, 0 lost", restart.Message);
    }

    [Fact]
    public async Task A_restarted_producer_keeps_its_earlier_counts_and_the_restart_is_an_event()
    {
        var started = _fleet.Time.GetUtcNow();
        _fleet.Instances.Set(Producer, FleetHarness.Producer("producer", started, 5000, 4990, 10));
        _fleet.Instances.Set(Consumer, FleetHarness.Consumer("consumer", started, verified: 4990));
        await _fleet.PollAsync();
        await _fleet.PollAsync();

        var restartedAt = _fleet.Time.GetUtcNow(); // a new process: a new epoch
        _fleet.Instances.Set(Producer, FleetHarness.Producer("producer", restartedAt, 300, 300, 0));
        await _fleet.PollAsync();
        _fleet.Instances.Set(Producer, FleetHarness.Producer("producer", restartedAt, 800, 790, 0));
        await _fleet.PollAsync();

        var summary = _fleet.Report.Summary();
        Assert.Equal(5800, summary.Producer.Sent);
        Assert.Equal(5780, summary.Producer.Acked);
        Assert.Equal(10, summary.Producer.Failed);
        Assert.Equal(1, summary.Producer.Restarts);
        Assert.Single(_fleet.Timeline.RecentEvents(50), e => e.Message.StartsWith("producer restarted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Records_lost_stay_in_the_total_across_a_consumer_restart_and_the_last_10_s_show_what_is_new()
    {
        var started = _fleet.Time.GetUtcNow();
        _fleet.Instances.Set(Producer, FleetHarness.Producer("producer", started, 1000, 1000, 0));
        _fleet.Instances.Set(Consumer, FleetHarness.Consumer("consumer", started, verified: 900));
        await _fleet.PollAsync();
        Assert.Equal((0L, 0L), (_fleet.Report.Summary().Consumer.Lost, _fleet.Report.Summary().Consumer.LostLast10s));

        // The consumer fell behind the retention: 100 records were removed before it read them.
        _fleet.Instances.Set(Consumer, FleetHarness.Consumer("consumer", started, verified: 1900, lost: 100));
        await _fleet.PollAsync();
        var lostAt = _fleet.Time.GetUtcNow();
        var summary = _fleet.Report.Summary();
        Assert.Equal(100, summary.Consumer.Lost);
        Assert.Equal(100, summary.Consumer.LostLast10s);
        Assert.Equal(0, summary.Consumer.Gaps); // a loss by retention is not a gap

        // Ten seconds on, nothing new: the total stays, the window is empty.
        for (var second = 0; second < 10; second++)
        {
            await _fleet.PollAsync();
        }

        summary = _fleet.Report.Summary();
        Assert.Equal((100L, 0L), (summary.Consumer.Lost, summary.Consumer.LostLast10s));

        // A new consumer process starts from zero and loses 20 more: both stay in the total.
        var restartedAt = _fleet.Time.GetUtcNow();
        _fleet.Instances.Set(Consumer, FleetHarness.Consumer("consumer", restartedAt, verified: 50, lost: 20));
        await _fleet.PollAsync();
        summary = _fleet.Report.Summary();
        Assert.Equal(120, summary.Consumer.Lost);
        Assert.Equal(20, summary.Consumer.LostLast10s);
        Assert.Contains(_fleet.Timeline.RecentEvents(50), e => e.Message.EndsWith("100 lost", StringComparison.Ordinal));

        // By when the Overseer learned of them, for the run export's intervals.
        var totals = _fleet.Services.GetRequiredService<FleetTotals>();
        Assert.Equal(100, totals.LostBetween(started, lostAt));
        Assert.Equal(0, totals.LostBetween(lostAt, restartedAt));
        Assert.Equal(20, totals.LostBetween(restartedAt, _fleet.Time.GetUtcNow()));
    }
}
