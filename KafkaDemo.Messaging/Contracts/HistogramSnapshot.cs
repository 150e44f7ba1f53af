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

/// <summary>The consumer's <c>GET /api/histograms</c> document: closed one-second intervals, oldest first.</summary>
/// <param name="Unit">Unit of the recorded values: "us".</param>
/// <param name="Encoding">"hdrhistogram-v2-compressed-base64".</param>
/// <param name="Latency">Intervals of receive time minus intended send time.</param>
/// <param name="LatencyFromActualSend">Intervals of receive time minus actual send time.</param>
public sealed record LatencyIntervals(
    string Unit,
    string Encoding,
    IReadOnlyList<EncodedInterval> Latency,
    IReadOnlyList<EncodedInterval> LatencyFromActualSend);
