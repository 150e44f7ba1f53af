extern alias overseer;

using KafkaDemo.UnitTests.Overseer;
using Microsoft.Extensions.DependencyInjection;
using overseer::KafkaDemo.Overseer.Agent;
using overseer::KafkaDemo.Overseer.BrokerMetrics;
using overseer::KafkaDemo.Overseer.StrimziWatch;

namespace KafkaDemo.UnitTests.BrokerMetrics;

/// <summary>The cluster's figures from its brokers', and their trend since the last change in the agent's memory block.</summary>
public sealed class BrokerFiguresTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static BrokerReading Broker(string pod, BrokerFigures? figures, string? problem = null) => new(pod, Start, figures, problem);

    [Fact]
    public void The_cluster_has_the_lowest_idle_ratios_the_total_queue_the_highest_p99_and_the_total_under_replicated()
    {
        var cluster = BrokerFigures.Cluster(
        [
            new BrokerFigures(0.8, 0.9, 1, 10, 0),
            new BrokerFigures(0.25, 0.95, 4, 30.5, 2),
            null, // did not answer
            new BrokerFigures(0.6, null, null, 12, 1),
        ]);

        Assert.Equal(new BrokerFigures(0.25, 0.9, 5, 30.5, 3), cluster);
        Assert.Null(BrokerFigures.Cluster([null, null]));
        Assert.Equal(new BrokerFigures(null, null, null, null, null), BrokerFigures.Cluster([new BrokerFigures(null, double.NaN, null, null, null)]));
    }

    [Theory]
    [InlineData(0.29, true)]
    [InlineData(0.3, false)]
    [InlineData(null, false)]
    public void An_idle_ratio_below_0_3_is_saturated(double? idle, bool saturated) => Assert.Equal(saturated, BrokerFigures.IsSaturated(idle));

    [Fact]
    public void The_board_keeps_the_last_readings_when_the_pods_cannot_be_listed_and_says_why()
    {
        var board = new BrokerMetricsBoard();
        Assert.Null(board.Latest.At);

        board.Record([Broker("kafkademo-dual-1", null, "503 ServiceUnavailable: error trying to reach service"), Broker("kafkademo-dual-0", new BrokerFigures(0.5, 0.5, 0, 5, 0))], Start);
        board.Fail("The broker pods could not be listed: 500 InternalServerError");

        var latest = board.Latest;
        Assert.Equal(Start, latest.At);
        Assert.Equal(["kafkademo-dual-0", "kafkademo-dual-1"], latest.Brokers.Select(b => b.Pod));
        Assert.Equal(1, latest.Answering);
        Assert.Equal(new BrokerFigures(0.5, 0.5, 0, 5, 0), latest.Cluster);
        Assert.Equal("The broker pods could not be listed: 500 InternalServerError", latest.Problem);
    }

    [Fact]
    public void The_agent_is_told_the_brokers_figures_with_their_trend_since_the_last_change_escaped_and_within_the_block()
    {
        using var host = Overseer();
        var time = host.Time;
        var board = host.Services.GetRequiredService<BrokerMetricsBoard>();
        var activity = host.Services.GetRequiredService<AgentActivity>();
        var feedback = host.Services.GetRequiredService<AgentFeedback>();

        // Before any change: the figures now, no trend.
        board.Record([Broker("kafkademo-dual-0", new BrokerFigures(0.87, 0.93, 0, 8.1, 0)), Broker("kafkademo-dual-1", new BrokerFigures(0.61, 0.8, 1, 9, 0))], time.GetUtcNow());
        var first = Lines(feedback.Block([]));
        Assert.Contains("Brokers 2/2 (JMX, now): handler idle min 0.61, network idle min 0.80, queue total 1, produce p99 max 9 ms, under-replicated 0.", first);

        // A change is seen; the brokers' figures then are the trend's start.
        time.Advance(TimeSpan.FromMinutes(1));
        activity.OnClusterChange(new ClusterChange(time.GetUtcNow(), "Kafka kafkademo", 2, "kubectl-patch", [new SpecChange("num.io.threads", "8", "4")]));
        time.Advance(TimeSpan.FromMinutes(5));
        board.Record(
        [
            Broker("kafkademo-dual-0", new BrokerFigures(0.21, 0.71, 3, 12.5, 0)),
            Broker("kafkademo-dual-1", new BrokerFigures(0.4, 0.75, 2, 11, 1)),
            Broker("kafka<demo>-dual-2", null, "no answer within 10 s"),
        ], time.GetUtcNow());

        var block = feedback.Block(activity.Changes);
        var lines = Lines(block);

        Assert.Contains("Brokers 2/3 (JMX, then -> now since the last change): handler idle min 0.61 -> 0.21 SATURATED, network idle min 0.80 -> 0.71, "
            + "queue total 1 -> 5, produce p99 max 9 -> 12.5 ms, under-replicated 0 -> 1.", lines);
        Assert.Contains("Per broker (handler idle/network idle/queue/produce p99 ms/under-replicated): kafka&lt;demo&gt;-dual-2 no answer, "
            + "kafkademo-dual-0 0.21/0.71/3/12.5/0, kafkademo-dual-1 0.40/0.75/2/11/1.", lines);
        Assert.All(lines.Skip(1).SkipLast(1), line => Assert.True(AgentFeedback.IsOwnLine(line), line));
        Assert.DoesNotContain("<demo>", block, StringComparison.Ordinal);
        Assert.InRange(block.Length, 1, AgentFeedback.MaxBlockChars);
        Assert.Equal(block, AgentMemory.Merge("", block, 2000, AgentFeedback.IsOwnLine).Text);

        // The round's figures carry them too (the run export's before and after).
        Assert.Equal(new BrokerFigures(0.21, 0.71, 5, 12.5, 1), feedback.Measure().Brokers);
        Assert.Equal(new BrokerFigures(0.61, 0.8, 1, 9, 0), activity.Changes[^1].FiguresThen.Brokers);
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(9, false)]
    public void When_the_block_is_full_the_effects_go_first_then_the_per_broker_figures_and_the_clusters_figures_and_config_stay(int brokers, bool perBrokerKept)
    {
        using var host = Overseer();
        var time = host.Time;
        var board = host.Services.GetRequiredService<BrokerMetricsBoard>();
        var activity = host.Services.GetRequiredService<AgentActivity>();
        var cluster = host.Services.GetRequiredService<KafkaResourceState>();
        cluster.SetBrokerConfig(System.Text.Json.Nodes.JsonNode.Parse("""
            {"num.io.threads":4,"num.network.threads":2,"num.replica.fetchers":1,"queued.max.requests":500,
             "socket.receive.buffer.bytes":102400,"socket.send.buffer.bytes":102400,"default.replication.factor":3,"min.insync.replicas":2}
            """)!.AsObject());
        cluster.SetDesiredBrokers(brokers);
        cluster.SetReadyBrokers(brokers, time.GetUtcNow());
        var figures = new BrokerFigures(0.4567, 0.7891, 12, 123.4, 0);
        board.Record(Enumerable.Range(0, brokers).Select(i => Broker($"kafkademo-dual-{i}", figures)), time.GetUtcNow());
        for (var i = 0; i < 6; i++)
        {
            time.Advance(TimeSpan.FromMinutes(3));
            var change = new ClusterChange(time.GetUtcNow(), "Kafka kafkademo", 2 + i, "kubectl-patch",
                [new SpecChange("num.io.threads", $"{4 + i}", $"{5 + i}"), new SpecChange("socket.send.buffer.bytes", "102400", "204800")]);
            foreach (var listener in host.Services.GetServices<IClusterChangeListener>())
            {
                listener.OnClusterChange(change); // as the watch tells them: the max sustainable rate starts anew under it
            }
        }

        var block = host.Services.GetRequiredService<AgentFeedback>().Block(activity.Changes);
        TestContext.Current.TestOutputHelper?.WriteLine(block);

        Assert.InRange(block.Length, 1, AgentFeedback.MaxBlockChars);
        Assert.Contains($"\nBrokers {brokers}/{brokers} (JMX, then -> now since the last change): handler idle min 0.46 -> 0.46, ", block, StringComparison.Ordinal);
        Assert.Contains("\nMax sustainable rate at SLO: measuring under the config since ", block, StringComparison.Ordinal);
        Assert.Contains("\nSince the last change (num.io.threads 9→10, ", block, StringComparison.Ordinal);
        Assert.Contains("\nBroker config now: num.io.threads=4, ", block, StringComparison.Ordinal);
        Assert.Contains($"\nBrokers ready {brokers}/{brokers}.\n", block, StringComparison.Ordinal);
        Assert.Equal(perBrokerKept, block.Contains("\nPer broker (handler idle/network idle/queue/produce p99 ms/under-replicated): kafkademo-dual-0 0.46/0.79/12/123/0, ", StringComparison.Ordinal));
        Assert.DoesNotContain("Effect of recent changes", block, StringComparison.Ordinal); // the effects went first, and their header with them
        Assert.DoesNotContain("\n- ", block, StringComparison.Ordinal);
        Assert.EndsWith(AgentMemory.End, block, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_figures_the_agent_is_told_so()
    {
        Assert.Equal(["Brokers: no JMX figures yet."], AgentFeedback.BrokerLines(BrokerMetricsSnapshot.None, null, changed: false));
        Assert.Equal(["Brokers: no JMX figures yet (no broker pods found)."], AgentFeedback.BrokerLines(new BrokerMetricsSnapshot(Start, [], null, null), null, changed: false));
        var none = new BrokerMetricsSnapshot(Start, [Broker("kafkademo-dual-0", null, "404 NotFound")], null, null);
        Assert.Equal(["Brokers 0/1 (JMX): no figures, none answered."], AgentFeedback.BrokerLines(none, null, changed: true));
        var stale = new BrokerMetricsSnapshot(Start, [Broker("kafkademo-dual-0", new BrokerFigures(0.5, 0.5, 0, 5, 0))], new BrokerFigures(0.5, 0.5, 0, 5, 0), "The broker pods could not be listed: timeout");
        Assert.EndsWith($"Read {Start:HH:mm:ss} UTC; reading them since failed.", AgentFeedback.BrokerLines(stale, null, changed: false).First(), StringComparison.Ordinal);
        Assert.All(AgentFeedback.BrokerLines(stale, new BrokerFigures(null, null, null, null, null), changed: true).Concat(AgentFeedback.BrokerLines(none, null, true)),
            line => Assert.True(AgentFeedback.IsOwnLine(line), line));
    }

    [Fact]
    public void The_options_are_checked_at_start_with_messages_that_name_the_key()
    {
        var validator = new BrokerMetricsOptionsValidator();
        Assert.True(validator.Validate(null, new BrokerMetricsOptions()).Succeeded);

        var result = validator.Validate(null, new BrokerMetricsOptions { PollSeconds = 0, TimeoutSeconds = 301, Port = 70_000, Path = "/metrics?x" });

        Assert.Equal(
        [
            "Overseer:BrokerMetrics:PollSeconds must be from 1 to 3600; it is 0.",
            "Overseer:BrokerMetrics:TimeoutSeconds must be from 1 to 300; it is 301.",
            "Overseer:BrokerMetrics:Port must be from 1 to 65535; it is 70000.",
            "Overseer:BrokerMetrics:Path must be a path under the pod proxy without a leading '/', a query or spaces, such as 'metrics'; it is '/metrics?x'.",
        ], result.Failures);
    }

    private static string[] Lines(string block) => block.Split('\n');

    /// <summary>The Overseer's services, built as it builds them, not started, on a fake clock starting at <see cref="Start"/>.</summary>
    private static FleetHarness Overseer() => new(["http://127.0.0.1:9"], ["http://127.0.0.1:7"]);
}
