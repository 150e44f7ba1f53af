using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Kafka;

namespace KafkaDemo.AppHost.Agent;

/// <summary>
/// The vibectl agent: a pod in the cluster (k3d's or an existing one) that the Overseer runs agent rounds in. Data only;
/// <see cref="VibectlAgentLifecycle"/> deploys it.
/// </summary>
public sealed class VibectlAgentResource(string name, IDemoCluster cluster, KafkaClusterResource kafka) : Resource(name), IResourceWithWaitSupport
{
    /// <summary>The cluster it is deployed in (its parent in the dashboard).</summary>
    public IDemoCluster Cluster => cluster;

    /// <summary>The Kafka it waits for, and is deployed again after.</summary>
    public KafkaClusterResource Kafka => kafka;

    /// <summary>The LLM key (secret); while it has no value the agent is deployed but not configured.</summary>
    public required ParameterResource ApiKey { get; init; }

    /// <summary>The model vibectl uses (llm's name for it).</summary>
    public required ParameterResource Model { get; init; }

    /// <summary>An OpenAI-compatible server's base URL, or empty.</summary>
    public required ParameterResource BaseUrl { get; init; }

    /// <summary>The key of this agent's health check (its Deployment's newest pod is available: <see cref="Kubernetes.DeploymentHealthCheck"/>).</summary>
    public string HealthCheckKey => $"{Name}_check";
}
