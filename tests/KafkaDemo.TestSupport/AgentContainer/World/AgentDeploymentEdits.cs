using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// The agent's Deployment as it was before a fix (for <see cref="AgentWorldOptions.EditDeployment"/>),
/// so a test can show the round failing as the real programs would fail it, next to the shipped one.
/// </summary>
public static class AgentDeploymentEdits
{
    /// <summary>
    /// Issue 14 defect 1, as first deployed: the key from the Secret only as
    /// <c>VIBECTL_ANTHROPIC_API_KEY</c> and <c>VIBECTL_OPENAI_API_KEY</c>, no key file, so no keys.json.
    /// vibectl 0.11.6 copies them into ANTHROPIC_API_KEY/OPENAI_API_KEY only inside ModelEnvironment
    /// (model_adapter.py), which has closed when llm 0.26 reads the key (models.py Response.__iter__).
    /// </summary>
    public static void KeyOnlyInVibectlVariables(JsonObject deployment) =>
        KeyInVariables(deployment, "VIBECTL_ANTHROPIC_API_KEY", "VIBECTL_OPENAI_API_KEY");

    /// <summary>
    /// The first fix of defect 1: the key from the Secret in the providers' own variables,
    /// <c>ANTHROPIC_API_KEY</c> and <c>OPENAI_API_KEY</c> (and vibectl's), no keys.json. It serves a
    /// Claude model, but vibectl's ModelEnvironment.__exit__ deletes both for a model it cannot tie to
    /// a provider, so an OpenAI-compatible server's model, which falls back to OPENAI_API_KEY, loses it.
    /// </summary>
    public static void KeyInProviderVariables(JsonObject deployment) =>
        KeyInVariables(deployment, "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "VIBECTL_ANTHROPIC_API_KEY", "VIBECTL_OPENAI_API_KEY");

    private static void KeyInVariables(JsonObject deployment, params string[] variables)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var spec = deployment["spec"]!["template"]!["spec"]!.AsObject();
        var container = spec["containers"]![0]!.AsObject();
        var env = new JsonArray([.. (container["env"] as JsonArray ?? [])
            .Where(e => (string?)e!["name"] is not ("VIBECTL_ANTHROPIC_API_KEY_FILE" or "VIBECTL_OPENAI_API_KEY_FILE"))
            .Select(e => e!.DeepClone())]);
        foreach (var variable in variables)
        {
            env.Add(new JsonObject
            {
                ["name"] = variable,
                ["valueFrom"] = new JsonObject
                {
                    ["secretKeyRef"] = new JsonObject { ["name"] = "vibectl-llm", ["key"] = "api-key", ["optional"] = true },
                },
            });
        }

        container["env"] = env;
        RemoveNamed(container["volumeMounts"] as JsonArray, "llm-key");
        RemoveNamed(spec["volumes"] as JsonArray, "llm-key");
    }

    private static void RemoveNamed(JsonArray? items, string name)
    {
        foreach (var item in items?.Where(i => (string?)i!["name"] == name).ToList() ?? [])
        {
            items!.Remove(item);
        }
    }
}
