namespace KafkaDemo.Messaging.Sequencing;

/// <summary>What one observed sequence number meant for its stream.</summary>
public enum SequenceObservation
{
    /// <summary>The next number, as expected.</summary>
    InOrder,

    /// <summary>The first message seen on this stream (the baseline; nothing before it is judged).</summary>
    FirstInStream,

    /// <summary>Numbers were skipped and the Kafka offsets are contiguous: the messages were lost.</summary>
    Gap,

    /// <summary>Numbers were skipped because the Kafka log skipped records (retention deleted them).</summary>
    Truncated,

    /// <summary>A number already seen, at a new offset: a second copy in the log.</summary>
    Duplicate,

    /// <summary>A number already seen, at an offset already read: the consumer got the same record again.</summary>
    Redelivered,

    /// <summary>A number that was missing arrived late; it no longer counts as a gap.</summary>
    OutOfOrder,
}
