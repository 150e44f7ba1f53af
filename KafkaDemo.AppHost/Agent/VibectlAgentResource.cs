namespace KafkaDemo.AppHost.Agent;

/// <summary>The vibectl agent: a pod in the k3d cluster that the Overseer runs agent rounds in.</summary>
public sealed class VibectlAgentResource(string name) : Resource(name), IResourceWithWaitSupport
{
    /// <summary>The LLM key (secret); while it has no value the agent is deployed but not configured.</summary>
    public required ParameterResource ApiKey { get; init; }

    /// <summary>The model vibectl uses (llm's name for it).</summary>
    public required ParameterResource Model { get; init; }

    /// <summary>An OpenAI-compatible server's base URL, or empty.</summary>
    public required ParameterResource BaseUrl { get; init; }
}
