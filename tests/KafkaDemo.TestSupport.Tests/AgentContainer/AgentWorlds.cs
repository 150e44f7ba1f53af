using KafkaDemo.TestSupport.AgentContainer;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.Tests.AgentContainer;

/// <summary>Agent worlds the stand-in's tests start, and what they do to them.</summary>
internal static class AgentWorlds
{
    public static Task<AgentWorld> StartAsync(AgentWorldOptions? options = null) =>
        AgentWorld.StartAsync(options, TestContext.Current.CancellationToken);

    /// <summary>
    /// A world with the LLM key in the Secret, which the shipped Deployment gives llm (idle.sh writes
    /// it into keys.json), with the programs on <paramref name="time"/>.
    /// </summary>
    public static Task<AgentWorld> WithLlmKeyAsync(TimeProvider? time = null, ScriptedModel? model = null) =>
        StartAsync(new AgentWorldOptions
        {
            Programs = new AgentContainerOptions { Time = time, Model = model },
        });

    /// <summary>The agent's running container (its files, environment).</summary>
    public static async Task<RunningContainer> ContainerAsync(AgentWorld world)
    {
        var pod = await world.WaitForAgentPodAsync(TestContext.Current.CancellationToken);
        return world.Api.FindRunningContainer(AgentWorld.AgentNamespace, pod.Metadata.Name)!;
    }

    /// <summary>vibectl set up as the Overseer sets it up: a current model, show_kubectl, no streaming.</summary>
    public static async Task ConfigureLikeTheOverseerAsync(AgentWorld world, string model = "claude-sonnet-4.6")
    {
        foreach (var (key, value) in new[] { ("llm.model", model), ("display.show_kubectl", "true"), ("display.show_streaming", "false") })
        {
            var outcome = await PodExec.RunAsync(world, "env", "COLUMNS=10000", "vibectl", "config", "set", key, value);
            Assert.True(outcome.ExitCode == 0 && outcome.Stderr.Length == 0, $"config set {key} {value}: {outcome.Stderr}");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, up to 30 s.</summary>
    public static Task UntilAsync(Func<bool> condition, string failure) =>
        Eventually.TrueAsync(condition, TimeSpan.FromSeconds(30), failure);
}
