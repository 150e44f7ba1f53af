using System.Globalization;
using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.DeploymentContract.Load;

namespace KafkaDemo.AppHost.Placement;

/// <summary>
/// One Deployment of the load (<c>deploy/load</c>) in the k3d cluster or an existing one, as a dashboard resource: its
/// state follows the Deployment and its pods, its console carries the pods' logs, and its commands
/// scale it. Data only; <see cref="ClusterDeploymentLifecycle"/> builds, applies and watches it.
/// </summary>
public sealed class ClusterDeploymentResource(string name, LoadTarget target, KafkaClusterResource kafka, ClusterDeploymentSpec spec)
    : Resource(name), IResourceWithWaitSupport
{
    /// <summary>The cluster it runs in (its parent in the dashboard).</summary>
    public IDemoCluster Cluster => target.Cluster;

    /// <summary>The cluster and how images, Kafka's address and telemetry reach it.</summary>
    public LoadTarget Target => target;

    /// <summary>The Kafka it waits for, and is applied again after.</summary>
    public KafkaClusterResource Kafka => kafka;

    public ClusterDeploymentSpec Spec => spec;

    /// <summary>The signing secret, for the Secret <c>kafkademo-hmac</c>.</summary>
    public required ParameterResource HmacSecret { get; init; }

    /// <summary>The control token, for the Secret <c>kafkademo-control</c>.</summary>
    public required ParameterResource ControlToken { get; init; }

    /// <summary>The key of its health check: the Deployment is available.</summary>
    public string HealthCheckKey => $"{Name}_check";
}

/// <summary>What one Deployment of the load is built from and rendered with.</summary>
/// <param name="Deployment">The Deployment's (and headless Service's) name in <c>deploy/load</c>.</param>
/// <param name="Project">The project folder whose Dockerfile builds its image ("KafkaDemo.Producer").</param>
/// <param name="Repository">The image's name ("kafkademo-producer").</param>
/// <param name="Replicas">Pods at start.</param>
/// <param name="MaxReplicas">The most the scale commands allow (the consumers: the partition count).</param>
/// <param name="RepositoryRoot">The build context: the repository root.</param>
/// <param name="Load">The settings every Deployment of the load shares.</param>
public sealed record ClusterDeploymentSpec(string Deployment, string Project, string Repository, int Replicas, int MaxReplicas, string RepositoryRoot, LoadSettings Load)
{
    /// <summary>
    /// Why <paramref name="replicas"/> pods may not run, or null when they may: from 1 to <see cref="MaxReplicas"/>.
    /// Every way the AppHost changes the count (scale-up, scale-down, scale) asks this.
    /// </summary>
    public string? ReplicasProblem(int replicas) => replicas >= 1 && replicas <= MaxReplicas
        ? null
        : string.Create(CultureInfo.InvariantCulture,
            $"{Deployment} may run from 1 to {MaxReplicas} replicas{(Deployment == LoadDeployment.Consumer ? " (a consumer beyond the partition count gets no partition)" : "")}; {replicas} is outside.");
}

/// <summary>The load's settings, as the ConfigMap <c>load-settings</c> carries them.</summary>
/// <param name="Topics">Weighted topics ("orders:3,clicks:1"), the producers' and the consumers'.</param>
/// <param name="RatePerProducer">Each producer's starting rate (messages per second).</param>
/// <param name="MessageSize">"512" or "256-4096".</param>
public sealed record LoadSettings(string Topics, double RatePerProducer, string MessageSize);
