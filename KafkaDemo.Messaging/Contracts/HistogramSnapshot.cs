namespace KafkaDemo.Messaging.Contracts;

/// <summary>One closed one-second interval, encoded.</summary>
/// <param name="EndUnixSeconds">The whole second at which the interval ended; its label.</param>
/// <param name="Count">Values recorded in the interval.</param>
/// <param name="Histogram">The interval's histogram (see <see cref="HistogramSnapshot.Encoding"/>).</param>
public sealed record EncodedInterval(long EndUnixSeconds, long Count, string Histogram);

/// <summary>Encoded histograms another process can decode and merge exactly.</summary>
/// <param name="Unit">Unit of the recorded values: "us".</param>
/// <param name="Encoding">"hdrhistogram-v2-compressed-base64".</param>
/// <param name="LastInterval">The last closed one-second interval, if any.</param>
/// <param name="SinceStart">Everything recorded since the process started.</param>
public sealed record HistogramSnapshot(string Unit, string Encoding, EncodedInterval? LastInterval, string SinceStart);

/// <summary>
/// <c>GET /api/histograms?after=&lt;unix seconds&gt;</c> on the producer and the consumer: every
/// closed one-second interval that ended after the given second, oldest first, per named series
/// (see <see cref="SeriesNames"/>). Fetching with the last label seen gets every interval once.
/// </summary>
/// <param name="Instance">The instance that recorded them.</param>
/// <param name="Unit">Unit of the recorded values: "us".</param>
/// <param name="Encoding">"hdrhistogram-v2-compressed-base64".</param>
/// <param name="Series">Intervals per series name.</param>
public sealed record IntervalSeries(
    string Instance,
    string Unit,
    string Encoding,
    IReadOnlyDictionary<string, IReadOnlyList<EncodedInterval>> Series);

/// <summary>Names of the histogram series the services publish.</summary>
public static class SeriesNames
{
    /// <summary>Consumer: receive time minus intended send time (end-to-end latency).</summary>
    public const string Latency = "latency";

    /// <summary>Consumer: receive time minus actual send time.</summary>
    public const string LatencyFromActualSend = "latencyFromActualSend";

    /// <summary>Producer: from handing a message to the client to its acknowledgement. Its count is the acks of the interval.</summary>
    public const string PublishLatency = "publishLatency";

    /// <summary>Producer: intended to actual send time. Its count is the messages sent in the interval.</summary>
    public const string PublishDelay = "publishDelay";
}
