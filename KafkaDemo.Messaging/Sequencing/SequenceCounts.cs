namespace KafkaDemo.Messaging.Sequencing;

/// <summary>Totals of a <see cref="SequenceTracker"/>.</summary>
/// <param name="Streams">Streams currently tracked.</param>
/// <param name="Gaps">Messages missing from their streams (lost), net of late arrivals.</param>
/// <param name="Duplicates">Second copies in the log: the same message at a new offset (written twice).</param>
/// <param name="Redelivered">The same record (same offset) handed to the consumer again.</param>
/// <param name="OutOfOrder">Messages that arrived after a later one of the same stream.</param>
/// <param name="Truncated">Messages skipped because Kafka's retention removed them before they were read.</param>
/// <param name="ProducerRestarts">Times a known producer appeared with a newer epoch.</param>
public readonly record struct SequenceCounts(
    int Streams,
    long Gaps,
    long Duplicates,
    long Redelivered,
    long OutOfOrder,
    long Truncated,
    long ProducerRestarts);
