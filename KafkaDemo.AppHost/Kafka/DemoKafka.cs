using KafkaDemo.AppHost.Modes;

namespace KafkaDemo.AppHost.Kafka;

/// <summary>The Kafka the services use, and the mode it came from.</summary>
/// <param name="Decision">The mode chosen, and why.</param>
/// <param name="Kafka">The <c>kafka</c> resource: its connection string is the bootstrap servers.</param>
/// <param name="ControlApi">The embedded Kafka's control API (faults, broker state), in embedded mode.</param>
public sealed record DemoKafka(
    ModeDecision Decision,
    IResourceBuilder<KafkaClusterResource> Kafka,
    EndpointReference? ControlApi);
