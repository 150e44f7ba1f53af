using KafkaDemo.TestSupport.AgentContainer;
using static KafkaDemo.TestSupport.Tests.AgentContainer.AgentWorlds;
using static KafkaDemo.TestSupport.Tests.AgentContainer.PodExec;

namespace KafkaDemo.TestSupport.Tests.AgentContainer;

/// <summary>
/// llm 0.26 with llm-anthropic 0.25.1 in the agent pod: <c>llm models list</c> as the Overseer runs
/// it, the extra OpenAI-compatible models the ConfigMap adds, and whose key reaches the provider
/// when vibectl calls llm (llm-0.26.md; vibectl-0.11.6.md §6).
/// </summary>
public sealed class LlmTests
{
    private const string LlmUserPath = "/home/vibectl/.config/llm";

    [Fact]
    public async Task models_list_prints_the_openai_models_then_the_anthropic_ones_with_their_aliases_then_the_default()
    {
        await using var world = await StartAsync();

        var list = await RunAsync(world, "llm", "models", "list");
        var bare = await RunAsync(world, "llm", "models");

        Assert.Equal((0, ""), (list.ExitCode!.Value, list.Stderr));
        Assert.Equal(list.Stdout, bare.Stdout);
        var lines = list.StdoutLines;
        Assert.Equal(50, lines.Count);
        Assert.Equal("OpenAI Chat: gpt-4o (aliases: 4o)", lines[0]);
        Assert.Equal("OpenAI Chat: gpt-4-turbo (aliases: gpt-4-turbo-preview, 4-turbo, 4t)", lines[18]);
        Assert.Equal("OpenAI Chat: o4-mini", lines[27]);
        Assert.Equal("OpenAI Completion: gpt-3.5-turbo-instruct (aliases: 3.5-instruct, chatgpt-instruct)", lines[28]);
        Assert.Equal("Anthropic Messages: anthropic/claude-3-opus-20240229", lines[29]);
        Assert.Equal("Anthropic Messages: anthropic/claude-3-7-sonnet-latest (aliases: claude-3.7-sonnet, claude-3.7-sonnet-latest)", lines[38]);
        Assert.Equal("Anthropic Messages: anthropic/claude-sonnet-4-6 (aliases: claude-sonnet-4.6)", lines[46]);
        Assert.Equal("Anthropic Messages: anthropic/claude-opus-4-8 (aliases: claude-opus-4.8)", lines[48]);
        Assert.Equal("Default: gpt-4o-mini", lines[49]);
    }

    [Fact]
    public async Task Extra_models_from_the_ConfigMap_follow_the_builtin_openai_ones_and_aliases_json_and_default_model_txt_apply()
    {
        await using var world = await StartAsync(new AgentWorldOptions
        {
            ExtraOpenAiModels = "- model_id: local-qwen\n  model_name: qwen2.5:7b\n  api_base: http://llm.local:8000/v1\n  aliases: [qwen]\n",
        });
        await RunAsync(world, "llm", "--version");
        var files = (await ContainerAsync(world)).Files;
        files.WriteAllText($"{LlmUserPath}/aliases.json", """{"sonnet": "anthropic/claude-sonnet-4-6", "nothing": "no-such-model"}""");
        files.WriteAllText($"{LlmUserPath}/default_model.txt", "sonnet\n");

        var lines = (await RunAsync(world, "llm", "models", "list")).StdoutLines;

        Assert.Equal(51, lines.Count);
        Assert.Equal("OpenAI Chat: local-qwen (aliases: qwen)", lines[29]);
        Assert.Equal("Anthropic Messages: anthropic/claude-3-opus-20240229", lines[30]);
        Assert.Equal("Anthropic Messages: anthropic/claude-sonnet-4-6 (aliases: claude-sonnet-4.6, sonnet)", lines[47]);
        Assert.Equal("Default: sonnet", lines[50]);
    }

    [Fact]
    public async Task A_broken_extra_models_file_breaks_llm_with_a_traceback_and_exit_1()
    {
        await using var world = await StartAsync(new AgentWorldOptions { ExtraOpenAiModels = "- model_name: qwen2.5:7b\n" });

        var outcome = await RunAsync(world, "llm", "models", "list");

        Assert.Equal((1, ""), (outcome.ExitCode!.Value, outcome.Stdout));
        Assert.Equal("Traceback (most recent call last):", outcome.StderrLines[0]);
        Assert.Equal("KeyError: 'model_id'", outcome.StderrLines[^1]);
    }

    [Fact]
    public async Task A_key_in_keys_json_beats_the_environment_variable()
    {
        RequiredTools.Kubectl();
        await using var world = await WithLlmKeyAsync(new FastForwardTime());
        await ConfigureLikeTheOverseerAsync(world);
        (await ContainerAsync(world)).Files.WriteAllText($"{LlmUserPath}/keys.json", """{"anthropic": "sk-ant-from-keys-json"}""");

        var outcome = await RunAsync(world, "env", "COLUMNS=10000", "vibectl", "auto", "--limit", "1");

        Assert.Equal((0, "Note: Starting vibectl auto session\nNote: Waiting 5 seconds before next iteration...\nNote: Completed 1 iterations as requested\n"),
            (outcome.ExitCode!.Value, outcome.Stderr));
        Assert.NotEmpty(world.Agent.Services.Requests);
        Assert.All(world.Agent.Services.Requests, r => Assert.Equal(("https://api.anthropic.com", "sk-ant-from-keys-json"), (r.Url, r.Key)));
    }

    [Fact]
    public async Task An_extra_model_with_an_api_base_is_sent_DUMMY_KEY_and_one_naming_a_key_loses_OPENAI_API_KEY_to_vibectl()
    {
        RequiredTools.Kubectl();
        var model = new ScriptedModel { Planner = _ => ModelAnswer.Plan(PlannerAction.Done("Nothing to do.")) };
        await using var world = await StartAsync(new AgentWorldOptions
        {
            ExtraOpenAiModels = """
                - model_id: local-qwen
                  model_name: qwen2.5:7b
                  api_base: http://llm.local:8000/v1
                  supports_schema: true
                - model_id: keyed-qwen
                  model_name: qwen2.5:7b
                  api_base: http://llm.local:8000/v1
                  api_key_name: local
                  supports_schema: true
                - model_id: plain-qwen
                  model_name: qwen2.5:7b
                  api_base: http://llm.local:8000/v1
                """,
            AddedContainerEnv = [new System.Text.Json.Nodes.JsonObject { ["name"] = "OPENAI_API_KEY", ["value"] = "sk-local" }],
            Programs = new AgentContainerOptions { Time = new FastForwardTime(), Model = model },
        });
        world.Agent.Services.AddServer("http://llm.local:8000/v1", new CompatibleServer());

        var outcomes = new Dictionary<string, ExecOutcome>();
        foreach (var name in (string[])["local-qwen", "keyed-qwen", "plain-qwen"])
        {
            var configured = await RunAsync(world, "env", "COLUMNS=10000", "vibectl", "config", "set", "llm.model", name);
            Assert.Equal(0, configured.ExitCode);
            outcomes[name] = await RunAsync(world, "env", "COLUMNS=10000", "vibectl", "auto", "--limit", "1");
        }

        // vibectl knows no provider for these names, and says so on every command but config.
        const string Unknown = "Unknown model provider for 'local-qwen'. Key validation skipped.";
        var open = outcomes["local-qwen"];
        Assert.Equal((0, "🔄 Consulting local-qwen for a plan...\n"), (open.ExitCode!.Value, open.Stdout));
        Assert.Equal([$"[WARNING] {Unknown}", $"Warning: {Unknown}", $"[WARNING] Model validation warning: {Unknown}", "Note: Starting vibectl auto session", "Note: Auto session exited by user"],
            open.StderrLines);

        // vibectl knows no provider for "keyed-qwen": ModelEnvironment's exit deletes OPENAI_API_KEY
        // before llm looks the key up, so llm's fallback to that variable never works under vibectl.
        Assert.Equal(0, outcomes["keyed-qwen"].ExitCode);
        Assert.Contains("Error: Error executing vibe request: LLM Execution Error for model keyed-qwen: No key found - add one using 'llm keys set local' or set the OPENAI_API_KEY environment variable",
            outcomes["keyed-qwen"].StderrLines);

        // The planner asks for a schema: a model whose entry does not say supports_schema fails at prompt time.
        Assert.Equal(0, outcomes["plain-qwen"].ExitCode);
        Assert.Equal("Error: Error in vibe command: LLM Execution Error for model plain-qwen: OpenAI Chat: plain-qwen does not support schemas", outcomes["plain-qwen"].StderrLines[^1]);

        // Plan and memory update for local-qwen; plain-qwen's memory update (no schema) still reaches the server.
        Assert.Equal([("plan", "DUMMY_KEY"), ("memory-update", "DUMMY_KEY"), ("memory-update", "DUMMY_KEY")],
            world.Agent.Services.Requests.Select(r => (r.Kind, r.Key)));
        Assert.All(world.Agent.Services.Requests, r => Assert.Equal(("http://llm.local:8000/v1", "qwen2.5:7b"), (r.Url, r.Model)));
    }
}
