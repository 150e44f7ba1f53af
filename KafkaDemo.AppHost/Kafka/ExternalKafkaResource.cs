namespace KafkaDemo.AppHost.Kafka;

/// <summary>Kafka in external mode: a cluster this AppHost does not run, at the bootstrap servers of ConnectionStrings:kafka.</summary>
public sealed class ExternalKafkaResource(string name) : KafkaClusterResource(name, "external");
