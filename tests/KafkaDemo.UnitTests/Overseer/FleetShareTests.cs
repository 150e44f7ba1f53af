extern alias overseer;

using System.Globalization;
using System.Text.Json;
using KafkaDemo.Messaging.Contracts;
using overseer::KafkaDemo.Overseer.Discovery;
using overseer::KafkaDemo.Overseer.Fleet;
using overseer::KafkaDemo.Overseer.Options;
using overseer::KafkaDemo.Overseer.Timeline;

using static KafkaDemo.UnitTests.Overseer.FleetHarness;

namespace KafkaDemo.UnitTests.Overseer;

/// <summary>
/// The total rate kept as producers come and go (<see cref="FleetCommands.KeepSharesAsync"/>): a pod scaled up
/// starts at the rate its ConfigMap gives every producer (the starting total over the starting count), and
/// without the Overseer giving it its share the total would grow by that much with every pod.
/// </summary>
public sealed class FleetShareTests : IDisposable
{
    private const double StartingTotal = 200;
    private readonly FleetHarness _fleet = new([], [], new Dictionary<string, string?>
    {
        ["Overseer:Discovery:Source"] = "Kubernetes",
        ["Overseer:Discovery:Route"] = "Direct",
        ["Overseer:TotalRate"] = StartingTotal.ToString(CultureInfo.InvariantCulture),
    });

    private readonly DiscoveredInstance _p1 = Pod("producer-a", 11), _p2 = Pod("producer-b", 12), _p3 = Pod("producer-c", 13);
    private readonly DiscoveredInstance _c1 = Pod("consumer-a", 21, producer: false);

    public void Dispose() => _fleet.Dispose();

    [Fact]
    public async Task Scaling_1_then_3_then_2_producers_keeps_the_total_rate_last_set_each_producer_given_its_share()
    {
        // One producer at the starting total: it has its share, nothing is sent.
        _fleet.Discover(_p1, _c1);
        Start(_p1, StartingTotal);
        Start(_c1);
        await _fleet.PollAsync();
        Assert.Empty(_fleet.Instances.Puts);
        Assert.Equal(StartingTotal, TotalTarget());

        // 1 → 3: the two new pods start at the ConfigMap's 200/s each (600/s in all); each of the three gets 200/3.
        _fleet.Discover(_p1, _p2, _p3, _c1);
        Start(_p2, StartingTotal);
        Start(_p3, StartingTotal);
        await _fleet.PollAsync();
        Assert.Equal([Url(_p1), Url(_p2), Url(_p3)], RatesSent().Select(r => r.Url).Order(StringComparer.Ordinal));
        Assert.All(RatesSent(), r => Assert.Equal(StartingTotal / 3, r.Rate, 6));
        await _fleet.PollAsync();
        Assert.Equal(StartingTotal, TotalTarget(), 6);
        var kept = Assert.Single(_fleet.Timeline.RecentEvents(50), e => e.Kind == EventKinds.Fleet && e.Message.StartsWith("Rate 200/s kept over 3 producers", StringComparison.Ordinal));
        Assert.Equal("Rate 200/s kept over 3 producers: 66.667/s each (given to producer-a, producer-b, producer-c)", kept.Message);

        // A total set since is the one kept: 900/s over 3, then 3 → 2 gives the two left 450/s each.
        _fleet.Instances.Puts.Clear();
        var set = await _fleet.Commands.SetTotalRateAsync(900, "", TestContext.Current.CancellationToken);
        Assert.True(set.AllApplied, set.Describe());
        await _fleet.PollAsync();
        Assert.Equal(900, TotalTarget(), 6);
        _fleet.Instances.Puts.Clear();
        _fleet.Discover(_p1, _p3, _c1);
        await _fleet.PollAsync();
        Assert.Equal([(Url(_p1), 450.0), (Url(_p3), 450.0)], RatesSent().Order());
        await _fleet.PollAsync();
        Assert.Equal(900, TotalTarget(), 6);

        // Settled: a poll sends nothing more.
        _fleet.Instances.Puts.Clear();
        await _fleet.PollAsync();
        Assert.Empty(_fleet.Instances.Puts);
    }

    [Fact]
    public async Task A_producer_that_did_not_take_its_share_is_given_it_again_only_after_the_retry_time()
    {
        _fleet.Discover(_p1, _p2, _c1);
        Start(_p1, StartingTotal / 2);
        Start(_p2, 500); // started elsewhere with another rate
        Start(_c1);
        _fleet.Instances.Down[Url(_p2)] = true;
        await _fleet.PollAsync(); // producer-b not reporting: producer-a alone has the whole total
        Assert.Equal([(Url(_p1), StartingTotal)], RatesSent());

        _fleet.Instances.Puts.Clear();
        _fleet.Instances.Down.Clear();
        await _fleet.PollAsync();
        Assert.Equal([(Url(_p1), 100.0), (Url(_p2), 100.0)], RatesSent().Order());

        // producer-b keeps reporting 500/s as if the change never reached it: not sent again each poll.
        _fleet.Instances.Puts.Clear();
        Start(_p2, 500);
        for (var i = 0; i < FleetCommands.ShareRetry.TotalSeconds - 2; i++)
        {
            await _fleet.PollAsync();
        }

        Assert.Empty(_fleet.Instances.Puts);
        await _fleet.PollAsync();
        await _fleet.PollAsync();
        Assert.Equal([(Url(_p2), 100.0)], RatesSent());
    }

    [Theory]
    [InlineData(0.5, "Overseer:TotalRate must be 0 (unthrottled) or from 1 to 5,000,000 messages per second; it is 0.5.")]
    [InlineData(6e6, "Overseer:TotalRate must be 0 (unthrottled) or from 1 to 5,000,000 messages per second; it is 6000000.")]
    [InlineData(0.0, null)]
    [InlineData(2000.0, null)]
    public void The_starting_total_is_checked_at_start_up_naming_the_key(double total, string? expected)
    {
        var options = new OverseerOptions { Discovery = new DiscoveryOptions { Source = DiscoverySource.Kubernetes }, TotalRate = total };
        var result = new OverseerOptionsValidator().Validate(null, options);
        Assert.Equal(expected, result.Failed ? result.FailureMessage : null);
    }

    private void Start(DiscoveredInstance pod, double rate = 0)
    {
        var started = DateTimeOffset.FromUnixTimeSeconds(1_799_999_000);
        _fleet.Instances.Set(Url(pod), pod.IsProducer ? FleetHarness.Producer(pod.Pod, started, 10, 10, 0, rate) : FleetHarness.Consumer(pod.Pod, started, 10));
    }

    /// <summary>The producers' summed target rate as the Overseer shows it.</summary>
    private double TotalTarget() => _fleet.Report.Summary().Producer.TargetRate;

    private List<(string Url, double Rate)> RatesSent() =>
        [.. _fleet.Instances.Puts.Where(p => p.Path == "/api/rate").Select(p => (p.Url, JsonSerializer.Deserialize<RateChange>(p.Body, JsonSerializerOptions.Web)!.Rate!.Value))];
}
