namespace KafkaDemo.DeploymentContract.Agent;

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

    /// <summary>
    /// On the agent's pod template once its LLM access is configured: the LLM key is in the agent's
    /// Secret, or an OpenAI-compatible server (<c>llm-base-url</c>) is set, which may need no key.
    /// Its absence means "not configured"; its value is when the AppHost configured it, and a change
    /// restarts the pod so it reads the new Secret and model list. (The name keeps "Key" from when
    /// only a key could configure the agent.)
    /// </summary>
    public const string KeyAnnotation = "kafkademo.io/llm-configured-at";

    /// <summary>
    /// The file vibectl 0.11.6 keeps its settings and memory in, inside the agent's container:
    /// <c>VIBECTL_CONFIG_DIR</c> (set in <c>k3d/agent/Dockerfile</c>) plus <c>client/config.yaml</c>
    /// (vibectl 0.11.6 config_utils.py get_config_dir: <c>$VIBECTL_CONFIG_DIR/client</c>; config.py
    /// Config: <c>config.yaml</c> in it). The Overseer reads it back with <c>cat</c>, because
    /// <c>vibectl config show</c> and <c>memory show</c> print through Rich, which alters text.
    /// </summary>
    public const string ConfigFile = "/home/vibectl/.config/vibectl/client/config.yaml";

    /// <summary>
    /// The model the agent uses unless <c>llm-model</c> says otherwise, by llm's name: an alias that
    /// llm-anthropic 0.25.1 registers (llm_anthropic.py register_models: anthropic/claude-sonnet-4-6,
    /// alias claude-sonnet-4.6). vibectl 0.11.6's own default, claude-3.7-sonnet, maps to
    /// claude-3-7-sonnet-latest: three generations old, and reported retired (the API answers 404).
    /// </summary>
    public const string DefaultModel = "claude-sonnet-4.6";
}
