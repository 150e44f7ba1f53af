namespace KafkaDemo.Messaging.Sequencing;

/// <summary>
/// One ordered stream of sequence numbers: a producer process (id and epoch) writing to one
/// topic partition. Kafka preserves order within a partition, so each stream must arrive in order.
/// </summary>
public readonly record struct StreamKey(Guid ProducerId, long Epoch, string Topic, int Partition);
