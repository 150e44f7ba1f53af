extern alias overseer;

using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;
using Microsoft.Extensions.DependencyInjection;
using overseer::KafkaDemo.Overseer.Aggregation;
using overseer::KafkaDemo.Overseer.Discovery;
using overseer::KafkaDemo.Overseer.Fleet;

using static KafkaDemo.UnitTests.Overseer.FleetHarness;

namespace KafkaDemo.UnitTests.Overseer;

/// <summary>
/// The fleet following the instances discovery finds (<c>Overseer:Discovery:Source=Kubernetes</c>,
/// <c>Route=Direct</c>): pods that join are polled, pods that leave are let go, their counts kept once.
/// The discovered set is written directly, as the EndpointSlice watcher writes it.
/// </summary>
public sealed class FleetDiscoveryTests : IDisposable
{
    private readonly MergedSecondRecorder _merged = new();
    private readonly FleetHarness _fleet;

    public FleetDiscoveryTests()
    {
        _fleet = new FleetHarness([], [], new Dictionary<string, string?>
        {
            ["Overseer:Discovery:Source"] = "Kubernetes",
            ["Overseer:Discovery:Route"] = "Direct",
        }, services => services.AddSingleton<IMergedSecondListener>(_merged));
        _merged.Fleet = _fleet.Services.GetRequiredService<FleetState>();
    }

    public void Dispose() => _fleet.Dispose();

    private void Producer(DiscoveredInstance pod, long sent, DateTimeOffset? started = null) =>
        _fleet.Instances.Set(Url(pod), FleetHarness.Producer(pod.Pod, started ?? Started, sent, sent, 0));

    private void Consumer(DiscoveredInstance pod, long verified) =>
        _fleet.Instances.Set(Url(pod), FleetHarness.Consumer(pod.Pod, Started, verified));

    private DateTimeOffset Started { get; } = DateTimeOffset.FromUnixTimeSeconds(1_799_999_000);

    [Fact]
    public async Task Scaling_1_then_3_then_2_producers_keeps_exact_totals_and_commands_go_to_the_current_two()
    {
        var (p1, p2, p3, c1) = (Pod("producer-a", 11), Pod("producer-b", 12), Pod("producer-c", 13), Pod("consumer-a", 21, producer: false));
        _fleet.Discover(p1, c1);
        Producer(p1, 100);
        Consumer(c1, 100);
        await _fleet.PollAsync();
        Assert.Equal(100, _fleet.Report.Summary().Producer.Sent);
        Assert.Equal(1, _fleet.Commands.LiveProducerCount);

        _fleet.Discover(p1, p2, p3, c1);
        Producer(p1, 200);
        Producer(p2, 50);
        Producer(p3, 70);
        await _fleet.PollAsync();
        Assert.Equal(320, _fleet.Report.Summary().Producer.Sent);
        Assert.Equal(3, _fleet.Commands.LiveProducerCount);

        // producer-b is scaled away: it is no longer polled (what it would say now is not counted),
        // and what it had sent stays in the totals.
        _fleet.Discover(p1, p3, c1);
        Producer(p1, 300);
        Producer(p2, 60);
        Producer(p3, 100);
        await _fleet.PollAsync();

        var summary = _fleet.Report.Summary();
        Assert.Equal(300 + 50 + 100, summary.Producer.Sent);
        Assert.Equal(0, summary.Producer.Restarts);
        Assert.Equal(2, summary.Producer.Instances);
        Assert.Empty(summary.StaleInstances);
        Assert.Equal(
            [("consumer-a", "consumer", "healthy", "http://10.42.0.21:8080"), ("producer-a", "producer", "healthy", "http://10.42.0.11:8080"), ("producer-c", "producer", "healthy", "http://10.42.0.13:8080")],
            summary.Instances.Select(i => (i.Name, i.Role, i.State, i.Address)).Order());
        Assert.Contains(_fleet.Timeline.RecentEvents(50), e => e.Message == "producer-b left (its pod is gone or not ready); its counts stay in the totals");

        var change = await _fleet.Commands.SetTotalRateAsync(3000, "", TestContext.Current.CancellationToken);

        Assert.True(change.AllApplied);
        Assert.Equal(
            [(Url(p1), "/api/rate", """{"rate":1500}"""), (Url(p3), "/api/rate", """{"rate":1500}""")],
            _fleet.Instances.Puts.Order().ToList());
    }

    [Fact]
    public async Task A_replaced_pod_keeps_its_counts_and_a_pod_that_is_not_ready_for_a_while_is_not_counted_twice()
    {
        var (p1, replacement, c1) = (Pod("producer-a", 11), Pod("producer-z", 14), Pod("consumer-a", 21, producer: false));
        _fleet.Discover(p1, c1);
        Producer(p1, 100);
        Consumer(c1, 100);
        await _fleet.PollAsync();

        _fleet.Discover(replacement, c1);
        Producer(replacement, 30);
        await _fleet.PollAsync();
        Assert.Equal(130, _fleet.Report.Summary().Producer.Sent);

        _fleet.Discover(c1);
        await _fleet.PollAsync();
        Assert.Equal(130, _fleet.Report.Summary().Producer.Sent);

        _fleet.Discover(replacement, c1);
        Producer(replacement, 40);
        await _fleet.PollAsync();

        var summary = _fleet.Report.Summary();
        Assert.Equal(140, summary.Producer.Sent);
        Assert.Equal(0, summary.Producer.Restarts);
        Assert.Equal(1, summary.Producer.Instances);
    }

    [Fact]
    public async Task A_producer_that_left_does_not_hold_back_a_second_and_is_merged_only_for_the_seconds_it_reported()
    {
        var (p1, p2, c1) = (Pod("producer-a", 11), Pod("producer-b", 12), Pod("consumer-a", 21, producer: false));
        var first = _fleet.Time.GetUtcNow().ToUnixTimeSeconds();
        _fleet.Discover(p1, p2, c1);
        Producer(p1, 10);
        Producer(p2, 10);
        Consumer(c1, 20);
        Second(p1, first, SeriesNames.PublishLatency, 10);
        Second(p2, first, SeriesNames.PublishLatency, 10);
        Second(c1, first, SeriesNames.Latency, 20);
        await _fleet.PollAsync();

        // producer-b falls silent for the next second: while it is a member, that second waits for it
        // (up to IntervalMerger.MaxLagSeconds)...
        Second(p1, first + 1, SeriesNames.PublishLatency, 7);
        Second(c1, first + 1, SeriesNames.Latency, 7);
        await _fleet.PollAsync();

        // ...and no longer once its pod has left; what it reports late is not polled.
        _fleet.Discover(p1, c1);
        Second(p2, first + 1, SeriesNames.PublishLatency, 1000);
        await _fleet.PollAsync();
        await _merged.WaitForAsync(2);

        // Released at the poll it was complete in: the first at once, the second only after the removal.
        Assert.Equal(
            [(first, first, 2, 20L, 20L), (first + 1, first + 2, 1, 7L, 7L)],
            _merged.Seconds.Select(s => (s.Interval.EndUnixSeconds, s.At, s.Interval.Producers, s.Interval.PublishLatency.TotalCount, s.Interval.Latency.TotalCount)).ToList());
    }

    private void Second(DiscoveredInstance pod, long end, string series, int count)
    {
        var histogram = LatencyHistograms.Create();
        histogram.RecordValueWithCount(1000, count);
        _fleet.Instances.AddInterval(Url(pod), series, new EncodedInterval(end, count, LatencyHistograms.Encode(histogram)));
    }

    /// <summary>
    /// Every merged second with the time of the poll that released it: the fleet view's, which the
    /// poll publishes before it releases seconds, and the next poll only after its listeners returned.
    /// </summary>
    private sealed class MergedSecondRecorder : IMergedSecondListener
    {
        private readonly Lock _gate = new();
        private readonly List<(MergedInterval Interval, long At)> _seconds = [];
        private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public FleetState? Fleet { get; set; }

        public IReadOnlyList<(MergedInterval Interval, long At)> Seconds
        {
            get
            {
                lock (_gate)
                {
                    return [.. _seconds];
                }
            }
        }

        public Task OnSecondAsync(MergedInterval interval, double targetRate, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                _seconds.Add((interval, Fleet!.Current.At.ToUnixTimeSeconds()));
                _added.TrySetResult();
                _added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return Task.CompletedTask;
        }

        /// <summary>Returns once <paramref name="count"/> seconds were merged (the poll hands them over after it updates the fleet view).</summary>
        public async Task WaitForAsync(int count)
        {
            while (true)
            {
                Task added;
                lock (_gate)
                {
                    if (_seconds.Count >= count)
                    {
                        return;
                    }

                    added = _added.Task;
                }

                await added.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            }
        }
    }
}
