extern alias overseer;

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
        Assert.Equal("consumer restarted (a new process); its earlier counts stay in the totals: 990 verified, 3 integrity failures, 5 gaps, 2 duplicates", restart.Message);
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
}
