namespace KafkaDemo.Messaging.Contracts;

/// <summary>Messages that failed verification, by reason.</summary>
/// <param name="Total">All of them.</param>
/// <param name="BadMac">Tampered, or signed with another secret.</param>
/// <param name="Malformed">Not an envelope.</param>
/// <param name="UnknownVersion">An envelope of a version this consumer does not know.</param>
/// <param name="Misplaced">Authentic, but in another topic or partition than it was signed for (copied there).</param>
public sealed record IntegrityFailures(long Total, long BadMac, long Malformed, long UnknownVersion, long Misplaced);

/// <summary>The consumer's <c>GET /api/stats</c> document.</summary>
/// <param name="Instance">The instance name.</param>
/// <param name="StartedAt">When this process started.</param>
/// <param name="Received">Records read from Kafka.</param>
/// <param name="Verified">Records whose envelope verified.</param>
/// <param name="IntegrityFailures">Records that failed verification, by reason.</param>
/// <param name="Gaps">Messages missing from their producer's stream (lost).</param>
/// <param name="Duplicates">Messages written to the log twice (a second copy at a new offset).</param>
/// <param name="Redelivered">Records handed to this consumer again at an offset it had already read.</param>
/// <param name="OutOfOrder">Messages that arrived after a later one of the same stream.</param>
/// <param name="Truncated">Messages removed by broker retention before they were read (not lost by the pipeline), counted per producer stream.</param>
/// <param name="Lost">Records removed from the log (retention) before this consumer read them, counted from the partitions' offsets; see <c>SequenceCounts.Lost</c>.</param>
/// <param name="ProducerRestarts">Times a producer reappeared with a new epoch.</param>
/// <param name="Streams">Producer streams (producer, epoch, topic, partition) being tracked.</param>
/// <param name="AssignedPartitions">Partitions currently assigned to this consumer.</param>
/// <param name="ReceiveRate">Records read per second.</param>
/// <param name="LatencyMs">End-to-end latency: receive time minus intended send time.</param>
/// <param name="LatencyFromActualSendMs">Receive time minus actual send time.</param>
/// <param name="Histograms">Encoded histograms of <paramref name="LatencyMs"/>, mergeable across instances.</param>
/// <param name="ActualSendHistograms">Encoded histograms of <paramref name="LatencyFromActualSendMs"/>.</param>
public sealed record ConsumerStats(
    string Instance,
    DateTimeOffset StartedAt,
    long Received,
    long Verified,
    IntegrityFailures IntegrityFailures,
    long Gaps,
    long Duplicates,
    long Redelivered,
    long OutOfOrder,
    long Truncated,
    long Lost,
    long ProducerRestarts,
    int Streams,
    int AssignedPartitions,
    RateSummary ReceiveRate,
    LatencyWindowSummaries LatencyMs,
    LatencyWindowSummaries LatencyFromActualSendMs,
    HistogramSnapshot Histograms,
    HistogramSnapshot ActualSendHistograms);
