namespace KafkaDemo.Messaging.Agent;

/// <summary>
/// The vibectl agent as the AppHost deploys it (<c>k3d/agent</c>) and the Overseer drives it: the
/// names and the default model both must agree on, written once.
/// </summary>
public static class AgentDeployment
{
    public const string Namespace = "kafkademo-agent";

    public const string DeploymentName = "vibectl";

    public const string Container = "vibectl";

    public const string PodSelector = "app.kubernetes.io/name=vibectl";

    /// <summary>On the pod template once the LLM key is in the agent's Secret; a change restarts the pod so it reads the key.</summary>
    public const string KeyAnnotation = "kafkademo.io/llm-key-set-at";

    /// <summary>vibectl's own default model (llm's name), from its DEFAULT_CONFIG.</summary>
    public const string DefaultModel = "claude-3.7-sonnet";
}
