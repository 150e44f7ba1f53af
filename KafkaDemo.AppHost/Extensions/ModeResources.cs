using KafkaDemo.AppHost.Agent;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.Modes;

namespace KafkaDemo.AppHost.Extensions;

/// <summary>The resources the chosen mode added: the Kafka the services use, and what came with it.</summary>
/// <param name="Decision">The mode chosen, and why.</param>
/// <param name="Kafka">The <c>kafka</c> resource: its connection string is the bootstrap servers.</param>
/// <param name="ControlApi">The embedded Kafka's control API (faults, broker state), in embedded mode.</param>
/// <param name="Cluster">The cluster Kafka runs in, with the Overseer's identity: k3d's, or an existing one in external mode.</param>
/// <param name="Agent">The vibectl agent in that cluster.</param>
public sealed record ModeResources(
    ModeDecision Decision,
    IResourceBuilder<KafkaClusterResource> Kafka,
    EndpointReference? ControlApi,
    IDemoCluster? Cluster = null,
    IResourceBuilder<VibectlAgentResource>? Agent = null);
