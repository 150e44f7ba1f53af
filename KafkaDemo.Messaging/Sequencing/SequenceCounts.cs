namespace KafkaDemo.Messaging.Sequencing;

/// <summary>Totals of a <see cref="SequenceTracker"/>.</summary>
/// <param name="Streams">Streams currently tracked.</param>
/// <param name="Gaps">Messages missing from their streams (lost), net of late arrivals.</param>
/// <param name="Duplicates">Messages seen more than once.</param>
/// <param name="OutOfOrder">Messages that arrived after a later one of the same stream.</param>
/// <param name="Truncated">Messages skipped because Kafka's retention removed them before they were read.</param>
/// <param name="ProducerRestarts">Times a known producer appeared with a newer epoch.</param>
public readonly record struct SequenceCounts(
    int Streams,
    long Gaps,
    long Duplicates,
    long OutOfOrder,
    long Truncated,
    long ProducerRestarts);
