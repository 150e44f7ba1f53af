extern alias overseer;

using System.Text.Json;
using KafkaDemo.Messaging.Measurement;
using overseer::KafkaDemo.Overseer.Aggregation;
using overseer::KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.UnitTests.Overseer;

public sealed class RunExportTests
{
    private static MergedInterval Second(long label, int messages, long latencyMicros)
    {
        var latency = LatencyHistograms.Create();
        var delay = LatencyHistograms.Create();
        var publish = LatencyHistograms.Create();
        for (var i = 0; i < messages; i++)
        {
            latency.RecordValue(latencyMicros);
            delay.RecordValue(100);
            publish.RecordValue(latencyMicros / 2);
        }

        return new MergedInterval(label, latency, LatencyHistograms.Create(), delay, publish, 1, 1);
    }

    [Fact]
    public void The_export_has_omb_series_per_interval_and_aggregates_after_the_warm_up()
    {
        var timeline = new RunTimeline(exportIntervalSeconds: 10, warmupSeconds: 10);
        for (var s = 1; s <= 30; s++)
        {
            // 10 s of 100 ms latency (warm-up), then 20 s of 5 ms.
            timeline.Add(Second(1_000 + s, 1000, s <= 10 ? 100_000 : 5_000), targetRate: 1000);
        }

        timeline.AddEvent(new TimelineEvent(DateTimeOffset.FromUnixTimeSeconds(1_015), EventKinds.Fault, "Broker 1 down"));
        var json = RunExport.Build(timeline.Snapshot(), new RunContext("embedded", ["orders", "clicks"], "512", 1, 1, 25, 900), 10, 10, DateTimeOffset.UnixEpoch);
        using var document = JsonDocument.Parse(json.ToJsonString());
        var root = document.RootElement;

        Assert.Equal("kafkademo", root.GetProperty("workload").GetString());
        Assert.Equal(3, root.GetProperty("publishRate").GetArrayLength());
        Assert.Equal(1000, root.GetProperty("publishRate")[0].GetDouble());
        Assert.Equal(1000, root.GetProperty("consumeRate")[2].GetDouble());
        foreach (var prefix in new[] { "publishLatency", "publishDelayLatency", "endToEndLatency" })
        {
            foreach (var suffix in new[] { "Avg", "50pct", "75pct", "95pct", "99pct", "999pct", "9999pct", "Max" })
            {
                Assert.Equal(3, root.GetProperty(prefix + suffix).GetArrayLength());
                Assert.Equal(JsonValueKind.Number, root.GetProperty("aggregated" + char.ToUpperInvariant(prefix[0]) + prefix[1..] + suffix).ValueKind);
            }
        }

        Assert.InRange(root.GetProperty("endToEndLatency99pct")[0].GetDouble(), 99, 101);
        Assert.InRange(root.GetProperty("endToEndLatency99pct")[2].GetDouble(), 4.9, 5.1);
        // The warm-up (first 10 s, 100 ms) is excluded from the aggregate.
        Assert.InRange(root.GetProperty("aggregatedEndToEndLatency99pct").GetDouble(), 4.9, 5.1);
        Assert.Equal(20, root.GetProperty("aggregatedSeconds").GetInt64());
        Assert.Equal("Broker 1 down", root.GetProperty("events")[0].GetProperty("message").GetString());
        Assert.Equal(0, root.GetProperty("backlog")[2].GetInt64());
        Assert.Equal(900, root.GetProperty("maxSustainableRate").GetDouble());
    }

    [Fact]
    public void The_aggregated_histogram_can_be_decoded_and_merged_by_a_reader()
    {
        var timeline = new RunTimeline(exportIntervalSeconds: 5, warmupSeconds: 0);
        for (var s = 1; s <= 10; s++)
        {
            timeline.Add(Second(s, 10, 2_000), 10);
        }

        var json = RunExport.Build(timeline.Snapshot(), new RunContext("embedded", [], "512", 1, 1, 25, 0), 5, 0, DateTimeOffset.UnixEpoch);
        var histogram = LatencyHistograms.Decode(json["aggregatedEndToEndLatencyHistogram"]!.GetValue<string>());
        Assert.Equal(100, histogram.TotalCount); // no warm-up: every second counts
        Assert.Equal(2_000, histogram.GetValueAtPercentile(50), 2_000 * 0.001);
    }

    [Fact]
    public void The_export_gives_the_records_lost_per_interval_and_in_all()
    {
        var timeline = new RunTimeline(exportIntervalSeconds: 5, warmupSeconds: 0);
        for (var s = 1; s <= 15; s++)
        {
            timeline.Add(Second(s, 10, 2_000), 10);
        }

        var json = RunExport.Build(timeline.Snapshot(), new RunContext("embedded", [], "512", 1, 1, 25, 0, Lost: 70, LostPerInterval: [0, 70, 0]), 5, 0, DateTimeOffset.UnixEpoch);

        Assert.Equal([0L, 70L, 0L], json["lost"]!.AsArray().Select(v => v!.GetValue<long>()));
        Assert.Equal(70, json["lostTotal"]!.GetValue<long>());
    }
}
