using System.Text.Json.Nodes;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Topics;
using KafkaDemo.Overseer.Agent;
using KafkaDemo.Overseer.Aggregation;
using KafkaDemo.Overseer.Control;
using KafkaDemo.Overseer.Fleet;
using KafkaDemo.Overseer.Options;
using KafkaDemo.Overseer.StrimziWatch;
using KafkaDemo.Overseer.Timeline;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Report;

/// <summary>The figures the page and the API show, computed from the fleet, the merged seconds and the controller.</summary>
public sealed class OverseerReport(
    FleetState fleet,
    FleetTotals totals,
    RecentIntervals recent,
    ControlLoop control,
    SustainableRateRecord sustainable,
    KafkaResourceState cluster,
    AgentActivity agent,
    RunTimeline timeline,
    IOptions<OverseerOptions> options,
    IConfiguration configuration,
    AgentFeedback feedback,
    TimeProvider time)
{
    /// <summary>Seconds the summary's latency figures are merged over.</summary>
    public const int SummarySeconds = 10;

    public const string NoAgent = "No agent runs in embedded mode. In k3d mode, vibectl's plans, kubectl commands and results appear here.";

    public string Mode => options.Value.Mode;

    public string BootstrapServers => configuration.GetConnectionString("kafka") is { Length: > 0 } cs ? cs : "unknown";

    public OverseerSummary Summary()
    {
        var view = fleet.Current;
        var producers = view.LiveProducers.Select(p => p.Producer!).ToList();
        var consumers = view.LiveConsumers.Select(c => c.Consumer!).ToList();
        var sent = totals.Producers;
        var read = totals.Consumers;
        var (latency, rate) = recent.Latency(SummarySeconds);
        var settings = control.Settings;
        return new OverseerSummary(
            Mode,
            Kafka(view),
            new ProducerFleetSummary(
                producers.Count,
                view.TargetRate,
                producers.Sum(p => p.ActualRate.Last10s),
                sent.Sent,
                sent.Failed,
                view.Paused,
                sent.Acked,
                sent.Restarts),
            new ConsumerFleetSummary(
                consumers.Count,
                read.Received,
                read.Verified,
                read.IntegrityFailures,
                read.Gaps,
                read.Duplicates,
                Math.Round(rate, 1),
                new LatencyPercentiles(latency.P50, latency.P99, latency.P999, latency.Max),
                read.Redelivered,
                read.Restarts,
                read.Lost,
                totals.LostBetween(view.At.AddSeconds(-SummarySeconds), view.At)),
            new ControllerSummary(
                settings.Enabled,
                settings.SloP99Ms,
                sustainable.Current.Rate ?? 0,
                ControllerStates.Name(control.State),
                control.LastDecision?.Reason,
                Sustainable(sustainable.Current),
                [.. sustainable.Previous.Select(Sustainable)]),
            Agent(),
            [.. view.Instances.Where(i => i.Stale).Select(i => i.Name)],
            [.. view.Instances.Select(i => new InstanceSummary(
                i.Name, i.IsProducer ? "producer" : "consumer", i.Stale ? "stale" : i.Healthy ? "healthy" : "unhealthy", i.BaseUrl))]);
    }

    public JsonObject Run()
    {
        var view = fleet.Current;
        var producer = view.LiveProducers.Select(p => p.Producer!).FirstOrDefault();
        var topics = producer is null ? [] : TopicSpec.TryParse(producer.Topics, out var spec, out _) ? spec.Names.ToList() : [];
        var run = timeline.Snapshot();
        var context = new RunContext(
            Mode,
            topics,
            producer?.MessageSize ?? "unknown",
            view.LiveProducers.Count(),
            view.LiveConsumers.Count(),
            control.Settings.SloP99Ms,
            sustainable.Current.Rate,
            totals.Consumers.Lost,
            [.. run.Buckets.Select(b => totals.LostBetween(b.Start, b.Start.AddSeconds(b.Seconds)))]);
        var export = RunExport.Build(run, context, timeline.ExportIntervalSeconds, timeline.WarmupSeconds, time.GetUtcNow());
        export["sustainableRates"] = new JsonArray([.. sustainable.Previous.Reverse().Append(sustainable.Current).Select(m => (JsonNode)Json(Sustainable(m)))]);
        export["clusterChanges"] = new JsonArray([.. cluster.Changes.Select(c => (JsonNode)new JsonObject
        {
            ["at"] = c.At,
            ["resource"] = c.Resource,
            ["kind"] = ClusterChangeKinds.Name(c.Kind),
            ["generation"] = c.Generation,
            ["fieldManager"] = c.FieldManager,
            ["changes"] = new JsonArray([.. c.Changes.Select(x => (JsonNode)new JsonObject { ["setting"] = x.Path, ["before"] = x.Before, ["after"] = x.After })]),
        })]);
        var now = agent.Rounds.Count > 0 ? feedback.Measure() : null;
        export["agentRounds"] = new JsonArray([.. agent.Rounds.Select(r => (JsonNode)new JsonObject
        {
            ["round"] = r.Number,
            ["trigger"] = r.Trigger,
            ["startedAt"] = r.StartedAt,
            ["endedAt"] = r.EndedAt,
            ["result"] = r.Result is { } result ? AgentRoundOutcome.Name(result) : null,
            ["reason"] = r.Reason,
            ["exitCode"] = r.ExitCode,
            ["timedOut"] = r.TimedOut,
            ["pod"] = r.Pod,
            ["durationMs"] = r.DurationMs,
            ["changes"] = new JsonArray([.. r.Changes.Select(c => (JsonNode)JsonValue.Create(c.Line))]),
            ["before"] = Figures(r.Before),
            ["after"] = Figures(r.After ?? now),
        })]);
        return export;
    }

    /// <summary>The figures at a moment, as the export gives an agent round's before and after.</summary>
    private static JsonObject? Figures(AgentFigures? figures) => figures is null ? null : new JsonObject
    {
        ["at"] = figures.At,
        ["maxSustainableRate"] = figures.MaxSustainableRate,
        ["p99Ms"] = Math.Round(figures.P99Ms, 3),
        ["targetRate"] = Math.Round(figures.TargetRate, 1),
        ["actualRate"] = Math.Round(figures.ActualRate, 1),
        ["brokers"] = figures.Brokers is { } brokers ? new JsonObject
        {
            ["requestHandlerIdleMin"] = Rounded(brokers.RequestHandlerIdle, 3),
            ["networkProcessorIdleMin"] = Rounded(brokers.NetworkProcessorIdle, 3),
            ["requestQueueTotal"] = Rounded(brokers.RequestQueue, 1),
            ["produceP99MsMax"] = Rounded(brokers.ProduceP99Ms, 3),
            ["underReplicatedPartitions"] = Rounded(brokers.UnderReplicated, 0),
        } : null,
    };

    private static double? Rounded(double? value, int digits) => value is { } v ? Math.Round(v, digits) : null;

    private static JsonObject Json(SustainableRate rate) => new()
    {
        ["configuration"] = rate.Configuration,
        ["since"] = rate.Since,
        ["until"] = rate.Until,
        ["measuring"] = rate.Measuring,
        ["maxSustainableRate"] = rate.Rate,
        ["p99Ms"] = rate.P99Ms,
    };

    private static SustainableRate Sustainable(SustainableRateMeasurement m) =>
        new(m.Measuring, m.Rate, m.P99Ms, m.Since, m.Until, m.Configuration);

    private KafkaSummary Kafka(FleetView view)
    {
        if (!cluster.Seen)
        {
            return new KafkaSummary(BootstrapServers, KafkaHealth(view));
        }

        var brokers = cluster.Brokers;
        var health = brokers.Desired == 0 ? "unknown"
            : brokers.AllReady ? "healthy"
            : $"degraded: {brokers.Ready}/{brokers.Desired} brokers ready";
        return new KafkaSummary(BootstrapServers, health, brokers.Ready, brokers.Desired, cluster.BrokerConfig);
    }

    private AgentSummary Agent()
    {
        var state = agent.State;
        var last = agent.Latest;
        return new AgentSummary(
            AgentActivity.Name(state),
            state == AgentState.None ? (Mode == "embedded" ? NoAgent : "No agent: no Kubernetes cluster is configured.") : agent.Detail,
            agent.RoundCount,
            last is null ? null : new AgentRunSummary(last.Number, last.StartedAt, last.ExitCode, last.DurationMs, last.TimedOut,
                last.Result is { } result ? AgentRoundOutcome.Name(result) : null, last.Reason, last.EndedAt),
            agent.NextRunAt,
            [.. agent.Changes.TakeLast(5).Reverse().Select(c => $"{c.Change.At:HH:mm:ss} {c.Change.Line}")]);
    }

    /// <summary>"healthy", "degraded: ..." or "unknown", from the embedded cluster's state when there is one.</summary>
    public static string KafkaHealth(FleetView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.EmbeddedCluster is { } cluster)
        {
            var down = cluster.Brokers.Where(b => !b.Up).Select(b => b.Id).ToList();
            return down.Count == 0 ? "healthy" : $"degraded: broker(s) {string.Join(", ", down)} down";
        }

        return view.LiveConsumers.Any() ? "healthy (consumers are reading)" : "unknown";
    }
}
