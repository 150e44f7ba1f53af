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

    /// <summary>
    /// The file vibectl 0.11.6 keeps its settings and memory in, inside the agent's container:
    /// <c>VIBECTL_CONFIG_DIR</c> (set in <c>k3d/agent/Dockerfile</c>) plus <c>client/config.yaml</c>
    /// (vibectl 0.11.6 config_utils.py get_config_dir: <c>$VIBECTL_CONFIG_DIR/client</c>; config.py
    /// Config: <c>config.yaml</c> in it). The Overseer reads it back with <c>cat</c>, because
    /// <c>vibectl config show</c> and <c>memory show</c> print through Rich, which alters text.
    /// </summary>
    public const string ConfigFile = "/home/vibectl/.config/vibectl/client/config.yaml";

    /// <summary>vibectl's own default model (llm's name), from its DEFAULT_CONFIG.</summary>
    public const string DefaultModel = "claude-3.7-sonnet";
}
