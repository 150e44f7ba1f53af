extern alias overseer;

using KafkaDemo.Messaging.Measurement;
using overseer::KafkaDemo.Overseer.Aggregation;

namespace KafkaDemo.UnitTests.Overseer;

/// <summary>Merged seconds for the Overseer's tests: <c>count</c> end-to-end latencies of one value, nothing else.</summary>
internal static class MergedSeconds
{
    public static MergedInterval Of(long end, long latencyMicros, int count)
    {
        var latency = LatencyHistograms.Create();
        latency.RecordValueWithCount(latencyMicros, count);
        return new MergedInterval(end, latency, LatencyHistograms.Create(), LatencyHistograms.Create(), LatencyHistograms.Create(), 1, 1);
    }
}
