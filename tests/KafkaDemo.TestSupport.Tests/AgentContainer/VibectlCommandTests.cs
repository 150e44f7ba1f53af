using KafkaDemo.TestSupport.AgentContainer;
using static KafkaDemo.TestSupport.Tests.AgentContainer.AgentWorlds;
using static KafkaDemo.TestSupport.Tests.AgentContainer.PodExec;

namespace KafkaDemo.TestSupport.Tests.AgentContainer;

/// <summary>
/// vibectl 0.11.6's commands other than auto, through the fake's exec: streams, texts and exit codes
/// (vibectl-0.11.6.md §1-4, §8, §10, §11, §14), config validation, memory kept in config.yaml and cut
/// by code points, and the startup warnings of the key check.
/// </summary>
public sealed class VibectlCommandTests
{
    private const string ConfigFile = "/home/vibectl/.config/vibectl/client/config.yaml";

    [Fact]
    public async Task version_prints_on_stdout_and_usage_errors_exit_1_with_clicks_message_only()
    {
        await using var world = await StartAsync();

        Assert.Equal(new ExecOutcome(0, "vibectl, version 0.11.6\n", "", null), (await RunAsync(world, "vibectl", "--version")) with { Status = null });
        foreach (var (command, message) in new (string[], string)[]
        {
            (["vibectl", "config", "set", "memory.max_chars"], "Error: Missing parameter: value\n"),
            (["vibectl", "nosuch"], "Error: No such command 'nosuch'.\n"),
            (["vibectl", "--nope", "memory", "show"], "Error: No such option: --nope\n"),
            (["vibectl", "auto", "--limit", "abc"], "Error: 'abc' is not a valid integer.\n"),
            (["vibectl", "auto", "--limit"], "Error: Option '--limit' requires an argument.\n"),
            (["vibectl", "instructions", "set", "one", "two"], "Error: Got unexpected extra argument (two)\n"),
            (["vibectl", "memory", "set", "-x"], "Error: No such option: -x\n"),
        })
        {
            var outcome = await RunAsync(world, command);
            Assert.Equal((1, "", message), (outcome.ExitCode!.Value, outcome.Stdout, outcome.Stderr));
        }
    }

    [Fact]
    public async Task config_set_says_what_it_set_and_refuses_bad_keys_and_values_on_stderr_with_exit_0()
    {
        await using var world = await StartAsync();

        var set = await RunAsync(world, "vibectl", "config", "set", "display.show_kubectl", "TRUE");
        Assert.Equal((0, "Configuration display.show_kubectl set to TRUE\n", ""), (set.ExitCode!.Value, set.Stdout, set.Stderr));
        foreach (var (key, value, error) in new[]
        {
            ("foo.bar", "1", "Error: Invalid config section: foo. Available sections: ['core', 'display', 'llm', 'providers', 'memory', 'warnings', 'live_display', 'features', 'networking', 'plugins', 'proxy', 'system', 'memory_content']\n"),
            ("llm.foo", "1", "Error: Invalid config path: llm.foo. 'foo' not found in section 'llm'. Available keys: ['model', 'max_retries', 'retry_delay_seconds']\n"),
            ("display.show_kubectl", "maybe", "Error: Invalid value for display.show_kubectl: maybe\n"),
            ("memory.max_chars", "2k", "Error: Invalid value for memory.max_chars: 2k\n"),
            ("display.theme", "neon", "Error: Invalid value for display.theme: neon. Valid values are: ['default', 'dark', 'light', 'accessible']\n"),
            ("show_iterations", "true", "Error: Unknown configuration key: show_iterations. Valid sections: ['core', 'display', 'llm', 'providers', 'memory', 'warnings', 'live_display', 'features', 'networking', 'plugins', 'proxy', 'system', 'memory_content']\n"),
        })
        {
            var outcome = await RunAsync(world, "env", "COLUMNS=10000", "vibectl", "config", "set", key, value);
            Assert.Equal((0, "", error), (outcome.ExitCode!.Value, outcome.Stdout, outcome.Stderr));
        }

        // An int is stored as an int, whitespace allowed (int()); a bool as a bool.
        await RunAsync(world, "vibectl", "config", "set", "memory.max_chars", " 2000 ");
        var state = (await world.ReadVibectlAsync(Token))!;
        Assert.Equal(("2000", "True"), (state.Setting("memory.max_chars"), state.Setting("display.show_kubectl")));
        Assert.Contains("memory:\n  enabled: true\n  max_chars: 2000\n", state.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_llm_does_not_know_is_refused_with_a_warning_and_an_error_and_exit_0()
    {
        await using var world = await StartAsync();

        var outcome = await RunAsync(world, "vibectl", "config", "set", "llm.model", "claude-sonnet-4");
        var wide = await RunAsync(world, "env", "COLUMNS=10000", "vibectl", "config", "set", "llm.model", "claude-3-7-sonnet-latest");
        var known = await RunAsync(world, "vibectl", "config", "set", "llm.model", "anthropic/claude-sonnet-4-6");

        const string Message = "Model name 'claude-sonnet-4' is not recognized by the underlying 'llm' library. See 'llm models --known' for available options.";
        Assert.Equal((0, "", $"[WARNING] {Message}\nError: Model name 'claude-sonnet-4' is not recognized by the underlying 'llm' \nlibrary. See 'llm models --known' for available options.\n"),
            (outcome.ExitCode!.Value, outcome.Stdout, outcome.Stderr));
        Assert.Equal("Error: Model name 'claude-3-7-sonnet-latest' is not recognized by the underlying 'llm' library. See 'llm models --known' for available options.", wide.StderrLines[^1]);
        Assert.Equal((0, ""), (known.ExitCode!.Value, known.Stderr));
        Assert.Equal("anthropic/claude-sonnet-4-6", (await world.ReadVibectlAsync(Token))!.Setting("llm.model"));
    }

    [Fact]
    public async Task Memory_is_kept_exactly_in_config_yaml_cut_by_code_points_and_shown_through_Rich()
    {
        await using var world = await StartAsync();
        await RunAsync(world, "vibectl", "config", "set", "memory.max_chars", "25");

        var empty = await RunAsync(world, "vibectl", "memory", "show");
        var set = await RunAsync(world, "vibectl", "memory", "set", "--", "🚀🚀[bold]kept[/bold]\tnotes :rocket: and more text past the limit");
        var shown = await RunAsync(world, "vibectl", "memory", "show");
        var file = await RunAsync(world, "cat", ConfigFile);

        Assert.Equal((0, "", "Warning: Memory is empty. Use 'vibectl memory set' to add content.\n"), (empty.ExitCode!.Value, empty.Stdout, empty.Stderr));
        Assert.Equal((0, "Memory set\n", ""), (set.ExitCode!.Value, set.Stdout, set.Stderr));

        // 25 code points (each rocket counts once, as in Python), stored exactly; shown without the tags, the tab expanded.
        Assert.Equal("🚀🚀[bold]kept[/bold]\tnotes", (await world.ReadVibectlAsync(Token))!.Memory);
        Assert.Contains("memory_content: \"\\U0001F680\\U0001F680[bold]kept[/bold]\\tnotes\"\n", file.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("╭─ Memory Content ─╮\n│ 🚀🚀kept  ", shown.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("[bold]", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains("│ notes            │\n", shown.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task memory_set_without_text_reads_stdin_to_its_end_and_fails_with_two_errors_and_exit_1_when_it_is_empty()
    {
        await using var world = await StartAsync();

        var closed = await RunAsync(world, "vibectl", "memory", "set");
        var piped = await RunAsync(world, ["vibectl", "memory", "set"], stdin: "from stdin\n");
        var instructions = await RunAsync(world, "vibectl", "instructions", "set");

        Assert.Equal((1, "", "Error: No text provided. Use TEXT argument, --edit flag, or pipe input via \nstdin.\nError: Unknown error occurred\n"),
            (closed.ExitCode!.Value, closed.Stdout, closed.Stderr));
        Assert.Equal((0, "Memory set from stdin\n"), (piped.ExitCode!.Value, piped.Stdout));
        Assert.Equal("from stdin\n", (await world.ReadVibectlAsync(Token))!.Memory);
        Assert.Equal((1, "Error: No instructions provided via stdin\n"), (instructions.ExitCode!.Value, instructions.Stderr));
    }

    [Fact]
    public async Task instructions_and_memory_clear_say_what_they_did()
    {
        await using var world = await StartAsync();

        var set = await RunAsync(world, "vibectl", "instructions", "set", "--", "-Tune [carefully].");
        var show = await RunAsync(world, "vibectl", "instructions", "show");
        var clear = await RunAsync(world, "vibectl", "memory", "clear");

        Assert.Equal((0, "Custom instructions set successfully.\n"), (set.ExitCode!.Value, set.Stdout));
        Assert.Equal(("-Tune .\n", "Note: Custom instructions:\n"), (show.Stdout, show.Stderr));
        Assert.Equal("-Tune [carefully].", (await world.ReadVibectlAsync(Token))!.Instructions);
        Assert.Equal("Memory content cleared\n", clear.Stdout);
        Assert.Contains("memory_content: ''\n", (await world.ReadVibectlAsync(Token))!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_for_vibectl_every_command_warns_and_commands_other_than_config_warn_twice()
    {
        await using var world = await StartAsync(new AgentWorldOptions { LlmKey = null });

        var config = await RunAsync(world, "vibectl", "config", "set", "memory.max_chars", "300");
        var memory = await RunAsync(world, "vibectl", "memory", "show");

        const string Logged = "[WARNING] No API key found for provider 'anthropic' (model 'claude-3.7-sonnet')";
        Assert.Equal([Logged], config.StderrLines);
        Assert.Equal(
        [
            Logged,
            "Warning: Warning: No API key found for anthropic models like ",
            "'claude-3.7-sonnet'. Set a key using one of these methods:",
            "- Environment variable: export VIBECTL_ANTHROPIC_API_KEY=your-api-key",
            "- Config key file: vibectl config set providers.anthropic.key_file ",
            "  /path/to/key/file",
            "- Direct config: vibectl config set providers.anthropic.key your-api-key",
            "- Environment variable key file: export ",
            "VIBECTL_ANTHROPIC_API_KEY_FILE=/path/to/key/file",
            "[WARNING] Model validation warning: Warning: No API key found for anthropic models like 'claude-3.7-sonnet'. Set a key using one of these methods:",
            "- Environment variable: export VIBECTL_ANTHROPIC_API_KEY=your-api-key",
            "- Config key file: vibectl config set providers.anthropic.key_file ",
            "  /path/to/key/file",
            "- Direct config: vibectl config set providers.anthropic.key your-api-key",
            "- Environment variable key file: export VIBECTL_ANTHROPIC_API_KEY_FILE=/path/to/key/file",
            "Warning: Memory is empty. Use 'vibectl memory set' to add content.",
        ], memory.StderrLines);
    }

    [Fact]
    public async Task The_config_file_is_created_by_the_first_command_with_vibectls_defaults()
    {
        await using var world = await StartAsync();
        var container = await ContainerAsync(world);
        Assert.False(container.Files.FileExists(ConfigFile));

        await RunAsync(world, "vibectl", "--version");

        var text = container.Files.ReadAllText(ConfigFile);
        Assert.StartsWith("core:\n  kubeconfig: null\n  kubectl_command: kubectl\ndisplay:\n", text, StringComparison.Ordinal);
        Assert.Contains("llm:\n  max_retries: 2\n  model: claude-3.7-sonnet\n  retry_delay_seconds: 1.0\n", text, StringComparison.Ordinal);
        Assert.Contains("memory_content: null\n", text, StringComparison.Ordinal);
    }
}
