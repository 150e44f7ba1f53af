using System.Text.Json;
using System.Text.Json.Nodes;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;

namespace KafkaDemo.Overseer.Timeline;

/// <summary>What the export states about the run besides its measurements.</summary>
/// <param name="Lost">Records the log removed before a consumer read them, since the Overseer started.</param>
/// <param name="LostPerInterval">Of those, the ones the Overseer learned of in each export interval, in the order of the intervals.</param>
public sealed record RunContext(
    string Mode,
    IReadOnlyList<string> Topics,
    string MessageSize,
    int Producers,
    int Consumers,
    double SloP99Ms,
    double? MaxSustainableRate,
    long Lost = 0,
    IReadOnlyList<long>? LostPerInterval = null);

/// <summary>
/// Builds the <c>GET /api/run</c> document: shaped like an OpenMessaging Benchmark result
/// (per-interval series and aggregated figures under OMB's names), plus KafkaDemo's own fields
/// (target rate, SLO, max sustainable rate, events). docs/run-export.md describes every field.
/// Latencies are in milliseconds, rates in messages per second.
/// </summary>
public static class RunExport
{
    /// <summary>The three latency measurements, by their OMB name prefix.</summary>
    private static readonly (string Prefix, Func<ExportBucket, LatencySummary> Pick)[] Latencies =
    [
        ("publishLatency", b => b.PublishLatency),
        ("publishDelayLatency", b => b.PublishDelay),
        ("endToEndLatency", b => b.EndToEnd),
    ];

    private static readonly (string Suffix, Func<LatencySummary, double> Pick)[] Quantiles =
    [
        ("Avg", s => s.Mean),
        ("50pct", s => s.P50),
        ("75pct", s => s.P75),
        ("95pct", s => s.P95),
        ("99pct", s => s.P99),
        ("999pct", s => s.P999),
        ("9999pct", s => s.P9999),
        ("Max", s => s.Max),
    ];

    public static JsonObject Build(RunSnapshot run, RunContext context, int sampleIntervalSeconds, int warmupSeconds, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(context);
        var buckets = run.Buckets;
        var backlog = 0L;
        var document = new JsonObject
        {
            ["workload"] = "kafkademo",
            ["driver"] = $"kafkademo-{context.Mode}",
            ["mode"] = context.Mode,
            ["startedAt"] = run.StartedAt,
            ["generatedAt"] = now,
            ["topics"] = context.Topics.Count,
            ["topicNames"] = Array(context.Topics),
            ["messageSize"] = context.MessageSize,
            ["producers"] = context.Producers,
            ["consumers"] = context.Consumers,
            ["sampleIntervalSeconds"] = sampleIntervalSeconds,
            ["warmupSeconds"] = warmupSeconds,
            ["sloP99Ms"] = context.SloP99Ms,
            ["maxSustainableRate"] = context.MaxSustainableRate,
            ["intervalStartTimes"] = Array(buckets.Select(b => b.Start)),
            ["intervalSeconds"] = Array(buckets.Select(b => b.Seconds)),
            ["targetRate"] = Array(buckets.Select(b => Math.Round(b.TargetRate, 1))),
            ["publishRate"] = Array(buckets.Select(b => Math.Round(b.PublishRate, 1))),
            ["publishErrorRate"] = Array(buckets.Select(b => Math.Round(Math.Max(0, b.PublishRate - b.AckRate), 1))),
            ["consumeRate"] = Array(buckets.Select(b => Math.Round(b.ConsumeRate, 1))),
            ["backlog"] = Array(buckets.Select(b => backlog = Math.Max(0, backlog + b.Sent - b.Consumed))),
            ["lost"] = Array(buckets.Select((_, i) => context.LostPerInterval is { } lost && i < lost.Count ? lost[i] : 0)),
            ["lostTotal"] = context.Lost,
        };

        foreach (var (prefix, pick) in Latencies)
        {
            foreach (var (suffix, quantile) in Quantiles)
            {
                document[prefix + suffix] = Array(buckets.Select(b => quantile(pick(b))));
            }
        }

        document["aggregatedSeconds"] = run.AggregatedSeconds;
        var aggregated = new[]
        {
            ("aggregatedPublishLatency", run.AggregatedPublishLatency),
            ("aggregatedPublishDelayLatency", run.AggregatedPublishDelay),
            ("aggregatedEndToEndLatency", run.AggregatedEndToEnd),
        };
        foreach (var (prefix, histogram) in aggregated)
        {
            var summary = LatencyHistograms.Summarize(histogram);
            foreach (var (suffix, quantile) in Quantiles)
            {
                document[prefix + suffix] = quantile(summary);
            }
        }

        document["aggregatedEndToEndLatencyHistogram"] = LatencyHistograms.Encode(run.AggregatedEndToEnd);
        document["events"] = JsonSerializer.SerializeToNode(run.Events, JsonSerializerOptions.Web);
        return document;
    }

    private static JsonArray Array<T>(IEnumerable<T> values) => [.. values.Select(v => JsonValue.Create(v))];
}
