using KafkaDemo.AppHost.ExistingCluster;
using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Modes;
using KafkaDemo.AppHost.Placement;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Tools;
using KafkaDemo.DeploymentContract.Load;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaDemo.AppHost.Extensions;

/// <summary>
/// KafkaDemo:Placement=cluster: the producers and consumers as the Deployments of deploy/load in the
/// k3d cluster or an existing one (one dashboard resource each, <see cref="ClusterDeploymentResource"/>) instead of
/// processes here, and the Overseer finding their pods through Kubernetes.
/// </summary>
public static class ClusterLoadExtensions
{
    /// <summary>The producer and consumer Deployments, in that order.</summary>
    public static IReadOnlyList<IResourceBuilder<ClusterDeploymentResource>> AddLoadInCluster(
        this IDistributedApplicationBuilder builder,
        KafkaDemoSettings settings,
        ModeResources mode,
        IResourceBuilder<ParameterResource> secret,
        IResourceBuilder<ParameterResource> controlToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(mode);
        var target = mode.Cluster switch
        {
            K3dClusterResource k3d => LoadTarget.K3d(k3d),
            ExistingClusterResource existing when !string.IsNullOrWhiteSpace(settings.External.Registry) => LoadTarget.Existing(existing, settings.External.Registry, settings.External.ImagePullSecret),
            _ => throw new InvalidOperationException("KafkaDemo:Placement=cluster needs the k3d cluster, or an existing cluster with KafkaDemo:External:Registry (KafkaDemoSettings refuses the rest)."),
        };
        // Fail fast: the images are built with Docker, so without it nothing starts (not even the dashboard),
        // and the AppHost stops with Docker's own message (BeforeStartEvent is published before any resource starts,
        // and an exception from it ends DistributedApplication.StartAsync).
        builder.Services.TryAddSingleton<IProcessRunner, CliProcessRunner>();
        builder.Services.TryAddSingleton(sp => new K3dCli(sp.GetRequiredService<IProcessRunner>(), settings.K3d));
        builder.Eventing.Subscribe<BeforeStartEvent>((e, cancellationToken) =>
            ModeResolver.CheckPlacementAsync(LoadPlacement.Cluster, e.Services.GetRequiredService<K3dCli>(), cancellationToken, target.Images));
        var root = ServiceImages.FindRepositoryRoot(builder.AppHostDirectory);
        var load = new LoadSettings(settings.Topics, settings.Rate / settings.Producers, settings.MessageSize);
        var producer = builder.AddClusterDeployment(LoadDeployment.Producer,
            new ClusterDeploymentSpec(LoadDeployment.Producer, "KafkaDemo.Producer", "kafkademo-producer", settings.Producers, MaxProducers, root, load),
            target, mode.Kafka, secret, controlToken);
        var consumer = builder.AddClusterDeployment(LoadDeployment.Consumer,
            new ClusterDeploymentSpec(LoadDeployment.Consumer, "KafkaDemo.Consumer", "kafkademo-consumer", settings.Consumers, settings.Partitions, root, load),
            target, mode.Kafka, secret, controlToken);
        return [producer, consumer];
    }

    /// <summary>The most producer pods the scale command makes.</summary>
    public const int MaxProducers = 16;

    /// <summary>
    /// The Overseer finds the load's pods from the EndpointSlices of its headless Services and reaches
    /// them through the API server's pod proxy, with the kubeconfig it already has; it starts once
    /// every Deployment runs.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithLoadInCluster(
        this IResourceBuilder<ProjectResource> overseer, IReadOnlyList<IResourceBuilder<ClusterDeploymentResource>> deployments)
    {
        ArgumentNullException.ThrowIfNull(overseer);
        ArgumentNullException.ThrowIfNull(deployments);
        overseer
            .WithEnvironment("Overseer__Discovery__Source", "Kubernetes")
            .WithEnvironment("Overseer__Discovery__Route", "PodProxy");
        foreach (var deployment in deployments)
        {
            overseer.WaitFor(deployment);
        }

        return overseer;
    }
}
