using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.DeploymentContract.Agent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaDemo.AppHost.Agent;

/// <summary>The vibectl agent in the cluster, with the LLM settings as Aspire parameters.</summary>
public static class VibectlAgentBuilderExtensions
{
    /// <summary>The agent's default model (vibectl's config llm.model), by llm's name.</summary>
    public const string DefaultModel = AgentDeployment.DefaultModel;

    /// <summary>
    /// Adds the agent. Its LLM key is the secret parameter <c>llm-api-key</c> (the dashboard asks for
    /// it; without it everything else runs and the agent is not configured), the model
    /// <c>llm-model</c>, and optionally <c>llm-base-url</c> for an OpenAI-compatible server. It waits
    /// for <paramref name="kafka"/> to be healthy (WaitFor, through failures of Kafka: its failures
    /// are Kafka's to show), and is deployed again whenever Kafka runs again.
    /// </summary>
    /// <param name="cluster">The cluster it is deployed in (k3d's or an existing one).</param>
    /// <param name="kafka">The Kafka it waits for.</param>
    /// <param name="image">Where its image comes from (<see cref="AgentImageSource"/>).</param>
    public static IResourceBuilder<VibectlAgentResource> AddVibectlAgent<TCluster>(
        this IResourceBuilder<TCluster> cluster, IResourceBuilder<KafkaClusterResource> kafka, Func<IServiceProvider, AgentImageSource> image)
        where TCluster : IDemoCluster
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(image);
        var builder = cluster.ApplicationBuilder;
        var apiKey = builder.AddParameter("llm-api-key", secret: true)
            .WithDescription("The LLM provider's API key for vibectl (Anthropic for Claude models, OpenAI for gpt-* models).");
        var model = AddParameterWithDefault(builder, "llm-model", DefaultModel)
            .WithDescription($"The model vibectl uses, by llm's name (default: {AgentDeployment.DefaultModel}); with llm-base-url, the server's model id.");
        var baseUrl = AddParameterWithDefault(builder, "llm-base-url", "")
            .WithDescription("An OpenAI-compatible server's base URL as the agent pod reaches it (http://host.k3d.internal:<port>/v1 for this machine), or empty.");
        builder.Services.TryAddSingleton(sp => new AgentBringUp(image(sp), sp.GetRequiredService<TimeProvider>(), cluster.Resource.Kafka));
        builder.Services.TryAddSingleton<DependencyGate>();
        builder.Services.TryAddSingleton<VibectlAgentLifecycle>();

        var resource = new VibectlAgentResource("vibectl", cluster.Resource, kafka.Resource) { ApiKey = apiKey.Resource, Model = model.Resource, BaseUrl = baseUrl.Resource };
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(resource.HealthCheckKey, _ => new DeploymentHealthCheck(cluster.Resource, AgentManifests.Namespace, AgentManifests.DeploymentName,
            d => AgentBringUp.NewestPodAvailable(d) ? null : "The agent's pod is not available (yet).", "The agent's pod is available."), failureStatus: null, tags: null));
        return builder.AddResource(resource)
            .ExcludeFromManifest()
            .WithParentRelationship(cluster.Resource)
            .WaitFor(kafka, WaitBehavior.WaitOnResourceUnavailable)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "vibectl agent",
                State = KnownResourceStates.NotStarted,
                Properties = [new("Namespace", AgentManifests.Namespace)],
            })
            .WithHealthCheck(resource.HealthCheckKey)
            .OnInitializeResource((r, e, cancellationToken) => e.Services.GetRequiredService<VibectlAgentLifecycle>().RunAsync(r, e, cancellationToken));
    }

    /// <summary>
    /// A parameter that takes <c>Parameters:&lt;name&gt;</c> from configuration (user secrets, the
    /// environment, the command line) and <paramref name="fallback"/> without it. Aspire.Hosting's
    /// AddParameter(builder, name, string value) does not do this: it wraps the value in a getter
    /// that is called instead of reading configuration (ParameterResourceBuilderExtensions), so
    /// "dotnet user-secrets set Parameters:llm-model ..." would have had no effect.
    /// </summary>
    private static IResourceBuilder<ParameterResource> AddParameterWithDefault(IDistributedApplicationBuilder builder, string name, string fallback) =>
        builder.AddParameter(name, () => builder.Configuration[$"Parameters:{name}"] ?? fallback);
}
