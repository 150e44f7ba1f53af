namespace KafkaDemo.AppHost.Kafka;

/// <summary>Kafka in embedded mode: the brokers of the <c>kafka-embedded</c> process, on fixed ports.</summary>
public sealed class EmbeddedKafkaResource(string name) : KafkaClusterResource(name, "embedded");
