using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.DeploymentContract.Load;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaDemo.AppHost.Placement;

/// <summary>A Deployment of the load in the k3d cluster or an existing one, as a dashboard resource (KafkaDemo:Placement=cluster).</summary>
public static class ClusterDeploymentBuilderExtensions
{
    /// <summary>
    /// Adds the Deployment <paramref name="spec"/> names, in <paramref name="target"/>'s cluster: once Kafka is
    /// healthy (WaitFor, through Kafka's failures) its image is built and imported or pushed, the Secrets made
    /// from <paramref name="hmacSecret"/> and <paramref name="controlToken"/>, and its objects applied;
    /// its state then follows the Deployment, its console its pods' logs, and the scale-up and
    /// scale-down commands change its replicas by one, and the scale command to the count it asks for in the
    /// dashboard (from 1 to <see cref="ClusterDeploymentSpec.MaxReplicas"/>, checked the same way).
    /// </summary>
    public static IResourceBuilder<ClusterDeploymentResource> AddClusterDeployment(
        this IDistributedApplicationBuilder builder, string name, ClusterDeploymentSpec spec, LoadTarget target,
        IResourceBuilder<KafkaClusterResource> kafka, IResourceBuilder<ParameterResource> hmacSecret, IResourceBuilder<ParameterResource> controlToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(hmacSecret);
        ArgumentNullException.ThrowIfNull(controlToken);
        builder.Services.TryAddSingleton<DependencyGate>();
        builder.Services.TryAddSingleton<ImageDelivery>();
        builder.Services.TryAddSingleton<OtlpForwarder>();
        builder.Services.TryAddSingleton<ClusterDeploymentLifecycle>();

        var resource = new ClusterDeploymentResource(name, target, kafka.Resource, spec) { HmacSecret = hmacSecret.Resource, ControlToken = controlToken.Resource };
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(resource.HealthCheckKey, _ => new DeploymentHealthCheck(target.Cluster, LoadDeployment.Namespace, spec.Deployment, DeploymentHealthCheck.NotAvailable, $"Deployment {spec.Deployment} is available."), failureStatus: null, tags: null));
        var deployment = builder.AddResource(resource)
            .ExcludeFromManifest()
            .WithParentRelationship(target.Cluster)
            .WaitFor(kafka, WaitBehavior.WaitOnResourceUnavailable)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Deployment",
                State = KnownResourceStates.NotStarted,
                Properties = [new("Namespace", LoadDeployment.Namespace), new("Deployment", spec.Deployment), new("Ready", "0/0 ready")],
            })
            .WithHealthCheck(resource.HealthCheckKey)
            .OnInitializeResource((r, e, cancellationToken) => e.Services.GetRequiredService<ClusterDeploymentLifecycle>().RunAsync(r, e, cancellationToken));
        deployment.WithCommand("scale-up", "Scale up", c => Scale(c, resource, n => n + 1), new CommandOptions
        {
            Description = $"One more {spec.Deployment} pod (at most {spec.MaxReplicas}).",
            IconName = "ArrowUp",
            UpdateState = WhenRunning,
        });
        deployment.WithCommand("scale-down", "Scale down", c => Scale(c, resource, n => n - 1), new CommandOptions
        {
            Description = $"One {spec.Deployment} pod fewer (at least 1).",
            IconName = "ArrowDown",
            UpdateState = WhenRunning,
        });
        deployment.WithCommand("scale", "Scale to…", c => c.Services.GetRequiredService<ClusterDeploymentLifecycle>().ScaleToAsync(resource, c.Services.GetRequiredService<IInteractionService>(), c.CancellationToken), new CommandOptions
        {
            Description = $"Asks how many {spec.Deployment} pods to run (1 to {spec.MaxReplicas}).",
            IconName = "NumberSymbol",
            UpdateState = WhenRunning,
        });
        return deployment;
    }

    private static Task<ExecuteCommandResult> Scale(ExecuteCommandContext context, ClusterDeploymentResource resource, Func<int, int> replicas) =>
        context.Services.GetRequiredService<ClusterDeploymentLifecycle>().ScaleAsync(resource, replicas, context.CancellationToken);

    private static ResourceCommandState WhenRunning(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;
}
