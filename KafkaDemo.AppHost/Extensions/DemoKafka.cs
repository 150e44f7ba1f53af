using KafkaDemo.AppHost.Modes;

namespace KafkaDemo.AppHost.Extensions;

/// <summary>The Kafka the services use: its connection string, and the resource to wait for, if the AppHost runs it.</summary>
/// <param name="Decision">The mode chosen, and why.</param>
/// <param name="ConnectionString">The <c>kafka</c> connection string (bootstrap servers).</param>
/// <param name="Broker">The resource that runs Kafka, when the AppHost runs it.</param>
/// <param name="ControlApi">The embedded Kafka's control API (faults, broker state), in embedded mode.</param>
public sealed record DemoKafka(
    ModeDecision Decision,
    IResourceBuilder<IResourceWithConnectionString> ConnectionString,
    IResourceBuilder<IResourceWithWaitSupport>? Broker,
    EndpointReference? ControlApi);
