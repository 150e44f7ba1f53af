namespace KafkaDemo.Messaging.Envelopes;

/// <summary>
/// The signed fields of an envelope. Times are microseconds since the Unix epoch.
/// </summary>
/// <param name="ProducerId">Stable identity of the producing instance.</param>
/// <param name="Epoch">Start time of the producing process (µs); a new epoch means the producer restarted.</param>
/// <param name="Sequence">Position in the producer's stream for one topic partition, from 0.</param>
/// <param name="IntendedSendMicros">When the constant-rate schedule wanted this message sent.</param>
/// <param name="ActualSendMicros">When the producer handed the message to the Kafka client.</param>
public readonly record struct EnvelopeFields(
    Guid ProducerId,
    long Epoch,
    long Sequence,
    long IntendedSendMicros,
    long ActualSendMicros);
