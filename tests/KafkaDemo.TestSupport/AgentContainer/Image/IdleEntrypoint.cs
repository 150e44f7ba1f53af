using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// The image's ENTRYPOINT, <c>/usr/local/bin/kafkademo-agent-idle</c> (k3d/agent/idle.sh under
/// <c>/bin/sh</c>, dash, with <c>set -eu</c>): <c>mkdir -p "$VIBECTL_CONFIG_DIR" "$LLM_USER_PATH"</c>,
/// then, when <c>/etc/kafkademo/llm/extra-openai-models.yaml</c> exists (the optional ConfigMap),
/// <c>cp</c> it into <c>$LLM_USER_PATH</c>, then <c>exec sleep infinity</c>. The stand-in applies its
/// effect on the pod's files once, at the first exec into the pod (the pod has started by then), and
/// a test checks idle.sh still says exactly this.
/// </summary>
internal sealed class IdleEntrypoint : IContainerProgram
{
    public const string ModelsSource = "/etc/kafkademo/llm/extra-openai-models.yaml";

    public string Path => "/usr/local/bin/kafkademo-agent-idle";

    /// <summary>What idle.sh does before it sleeps; null when it succeeded, else why the script (and so the container) stopped.</summary>
    public static string? Prepare(IReadOnlyDictionary<string, string> environment, ContainerFiles files)
    {
        // set -u: an unset variable stops the script (dash: "parameter not set").
        foreach (var name in new[] { "VIBECTL_CONFIG_DIR", "LLM_USER_PATH" })
        {
            if (!environment.ContainsKey(name))
            {
                return $"/usr/local/bin/kafkademo-agent-idle: 4: {name}: parameter not set";
            }
        }

        try
        {
            files.CreateDirectory(environment["VIBECTL_CONFIG_DIR"]);
            files.CreateDirectory(environment["LLM_USER_PATH"]);
            if (files.FileExists(ModelsSource))
            {
                files.WriteAllBytes($"{environment["LLM_USER_PATH"].TrimEnd('/')}/extra-openai-models.yaml", files.ReadAllBytes(ModelsSource));
            }
        }
        catch (ContainerFileException e)
        {
            return $"mkdir or cp failed: {e.Message}";
        }

        return null;
    }

    public async Task<int> RunAsync(ProgramContext context)
    {
        if (Prepare(context.Environment, context.Files) is { } failure)
        {
            await context.Stderr.WriteAsync(failure + "\n");
            return 2;
        }

        // exec sleep infinity: until a signal ends it.
        await context.SleepAsync(Timeout.InfiniteTimeSpan);
        return 0;
    }
}
