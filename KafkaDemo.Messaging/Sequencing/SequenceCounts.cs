namespace KafkaDemo.Messaging.Sequencing;

/// <summary>Totals of a <see cref="SequenceTracker"/>.</summary>
/// <param name="Streams">Streams currently tracked.</param>
/// <param name="Gaps">Messages missing from their streams (lost), net of late arrivals.</param>
/// <param name="Duplicates">Second copies in the log: the same message at a new offset (written twice).</param>
/// <param name="Redelivered">The same record (same offset) handed to the consumer again.</param>
/// <param name="OutOfOrder">Messages that arrived after a later one of the same stream.</param>
/// <param name="Truncated">Messages skipped because Kafka's retention removed them before they were read.</param>
/// <param name="ProducerRestarts">Times a known producer appeared with a newer epoch.</param>
/// <param name="Lost">
/// Records removed from the log before this consumer read them, counted from the partition's
/// offsets: how far past the next offset it was due to read the log made it jump. Unlike
/// <paramref name="Truncated"/> this needs no stream to judge by, so it also counts what was
/// removed while this consumer was down (when it resumes a partition its previous run handled),
/// a new producer epoch's first messages, and records that are not envelopes.
/// </param>
public readonly record struct SequenceCounts(
    int Streams,
    long Gaps,
    long Duplicates,
    long Redelivered,
    long OutOfOrder,
    long Truncated,
    long ProducerRestarts,
    long Lost);
