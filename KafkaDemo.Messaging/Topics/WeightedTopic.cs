namespace KafkaDemo.Messaging.Topics;

/// <summary>A topic and its share of the producer's messages.</summary>
public readonly record struct WeightedTopic(string Name, int Weight);
