using System.Text.Json.Nodes;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Topics;
using KafkaDemo.Overseer.Aggregation;
using KafkaDemo.Overseer.Control;
using KafkaDemo.Overseer.Fleet;
using KafkaDemo.Overseer.Options;
using KafkaDemo.Overseer.Timeline;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Api;

/// <summary>The figures the page and the API show, computed from the fleet, the merged seconds and the controller.</summary>
public sealed class OverseerReport(
    FleetState fleet,
    FleetTotals totals,
    RecentIntervals recent,
    ControlLoop control,
    RunTimeline timeline,
    IOptions<OverseerOptions> options,
    IConfiguration configuration,
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
            new KafkaSummary(BootstrapServers, KafkaHealth(view)),
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
                read.Restarts),
            new ControllerSummary(
                settings.Enabled,
                settings.SloP99Ms,
                control.MaxSustainableRate,
                StateName(control.State),
                control.LastDecision?.Reason),
            new AgentSummary("none", Mode == "k3d" ? "The agent panel is not connected yet." : NoAgent),
            [.. view.Instances.Where(i => i.Stale).Select(i => i.Name)]);
    }

    public JsonObject Run()
    {
        var view = fleet.Current;
        var producer = view.LiveProducers.Select(p => p.Producer!).FirstOrDefault();
        var topics = producer is null ? [] : TopicSpec.TryParse(producer.Topics, out var spec, out _) ? spec.Names.ToList() : [];
        var context = new RunContext(
            Mode,
            topics,
            producer?.MessageSize ?? "unknown",
            view.LiveProducers.Count(),
            view.LiveConsumers.Count(),
            control.Settings.SloP99Ms,
            control.MaxSustainableRate);
        return RunExport.Build(timeline.Snapshot(), context, timeline.ExportIntervalSeconds, timeline.WarmupSeconds, time.GetUtcNow());
    }

    /// <summary>"healthy", "degraded: ..." or "unknown", from the embedded cluster's state when there is one.</summary>
    public static string KafkaHealth(FleetView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.Cluster is { } cluster)
        {
            var down = cluster.Brokers.Where(b => !b.Up).Select(b => b.Id).ToList();
            return down.Count == 0 ? "healthy" : $"degraded: broker(s) {string.Join(", ", down)} down";
        }

        return view.LiveConsumers.Any() ? "healthy (consumers are reading)" : "unknown";
    }

    public static string StateName(ControllerState state) => state switch
    {
        ControllerState.BackingOff => "backing-off",
        _ => state.ToString().ToLowerInvariant(),
    };
}
