namespace KafkaDemo.Messaging.Contracts;

/// <summary>The producer's <c>GET /api/stats</c> document.</summary>
/// <param name="Instance">The instance name.</param>
/// <param name="ProducerId">The id written into every envelope.</param>
/// <param name="Epoch">This process's epoch (its start, µs since the Unix epoch).</param>
/// <param name="StartedAt">When this process started.</param>
/// <param name="Paused">Whether load is paused.</param>
/// <param name="TargetRate">Messages per second the schedule aims for; 0 means unthrottled.</param>
/// <param name="ActualRate">Messages handed to the Kafka client per second.</param>
/// <param name="AckRate">Messages acknowledged per second.</param>
/// <param name="Sent">Messages handed to the Kafka client.</param>
/// <param name="Acked">Messages acknowledged by the brokers.</param>
/// <param name="Failed">Messages whose delivery failed.</param>
/// <param name="InFlight">Sent, neither acknowledged nor failed yet.</param>
/// <param name="MessageSize">The configured value size ("512" or "256-4096").</param>
/// <param name="Topics">The configured weighted topics ("orders:3,clicks:1").</param>
/// <param name="PublishLatencyMs">From handing a message to the client to its acknowledgement.</param>
/// <param name="PublishDelayMs">From a message's intended send time to its actual send time.</param>
/// <param name="PublishLatencyHistograms">Encoded publish-latency histograms.</param>
/// <param name="PublishDelayHistograms">Encoded publish-delay histograms.</param>
public sealed record ProducerStats(
    string Instance,
    Guid ProducerId,
    long Epoch,
    DateTimeOffset StartedAt,
    bool Paused,
    double TargetRate,
    RateSummary ActualRate,
    RateSummary AckRate,
    long Sent,
    long Acked,
    long Failed,
    long InFlight,
    string MessageSize,
    string Topics,
    LatencyWindowSummaries PublishLatencyMs,
    LatencyWindowSummaries PublishDelayMs,
    HistogramSnapshot PublishLatencyHistograms,
    HistogramSnapshot PublishDelayHistograms);
