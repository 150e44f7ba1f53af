extern alias overseer;

using System.Globalization;
using KafkaDemo.DeploymentContract.Agent;
using Microsoft.Extensions.Logging.Abstractions;
using overseer::KafkaDemo.Overseer.Agent;

namespace KafkaDemo.UnitTests.Agent;

/// <summary>
/// Setting vibectl up when its exit codes say nothing: vibectl 0.11.6 <c>config set</c> prints
/// <c>Error: ...</c> and exits 0 (cli.py config_set, utils.py handle_exception), so the Overseer
/// reads every setting back from the config file. The pod is played by a channel that answers each
/// command as scripted here.
/// </summary>
public sealed class VibectlSetupTests
{
    private static readonly AgentPod Pod = new("vibectl-abc", "uid-1");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static VibectlSetup Setup(FakePod pod, string model = "claude-sonnet-4.6") =>
        new(pod, Microsoft.Extensions.Options.Options.Create(new AgentOptions { Model = model, MemoryMaxChars = 2000 }),
            Microsoft.Extensions.Options.Options.Create(new overseer::KafkaDemo.Overseer.KubernetesApi.ClusterOptions()), NullLogger<VibectlSetup>.Instance);

    [Fact]
    public async Task A_setup_vibectl_keeps_is_read_back_with_one_argument_each_under_the_lock_and_a_wide_console()
    {
        var pod = new FakePod();

        await Setup(pod).ConfigureAsync(Pod, Token);

        Assert.Equal(["llm", "models", "list"], pod.Commands[0]);
        Assert.Contains(pod.Commands, c => c.SequenceEqual(
            ["flock", "-n", "-E", "75", "/tmp/kafkademo-agent-round.lock", "env", "COLUMNS=10000", "vibectl", "instructions", "set", "--", AgentInstructions.Text]));
        Assert.Contains(pod.Commands, c => c.SequenceEqual(
            ["flock", "-n", "-E", "75", "/tmp/kafkademo-agent-round.lock", "env", "COLUMNS=10000", "vibectl", "config", "set", "llm.model", "claude-sonnet-4.6"]));
        Assert.Equal(["cat", AgentDeployment.ConfigFile], pod.Commands[^1]);
        Assert.Equal("false", pod.Settings["display.show_streaming"]);
    }

    [Fact]
    public async Task An_error_line_from_config_set_fails_the_setup_naming_the_key_and_what_vibectl_said_though_it_exits_0()
    {
        var pod = new FakePod { Refuse = ("display.show_kubectl", "Error: Failed to save config: [Errno 28] No space left on device") };

        var error = await Assert.ThrowsAsync<AgentSetupException>(() => Setup(pod).ConfigureAsync(Pod, Token));

        Assert.Equal("vibectl config set display.show_kubectl true failed in pod vibectl-abc: Error: Failed to save config: [Errno 28] No space left on device", error.Message);
    }

    [Fact]
    public async Task A_setting_that_reads_back_otherwise_fails_the_setup_with_the_key_and_what_vibectl_said()
    {
        var pod = new FakePod { Forget = "llm.model" };

        var error = await Assert.ThrowsAsync<AgentSetupException>(() => Setup(pod).ConfigureAsync(Pod, Token));

        Assert.Equal(
            "vibectl did not keep llm.model in pod vibectl-abc: llm.model reads back as 'claude-3.7-sonnet', not 'claude-sonnet-4.6'. vibectl said: Configuration llm.model set to claude-sonnet-4.6",
            error.Message);
    }

    [Theory]
    [InlineData("claude-sonnet-4")] // the README's old name, not one llm-anthropic 0.25.1 registers
    [InlineData("claude-sonnet-4-6")] // an Anthropic id without llm's anthropic/ prefix
    public async Task A_model_llm_does_not_know_in_the_pod_is_refused_with_the_valid_names_before_anything_is_set(string model)
    {
        var pod = new FakePod();

        var error = await Assert.ThrowsAsync<AgentSetupException>(() => Setup(pod, model).ConfigureAsync(Pod, Token));

        Assert.StartsWith($"The model '{model}' is not one llm knows in pod vibectl-abc", error.Message, StringComparison.Ordinal);
        Assert.Contains("anthropic/claude-sonnet-4-6, ", error.Message, StringComparison.Ordinal);
        Assert.Contains(", claude-sonnet-4.6", error.Message, StringComparison.Ordinal);
        Assert.Contains("llm-model", error.Message, StringComparison.Ordinal);
        Assert.Single(pod.Commands);
    }

    [Fact]
    public async Task Memory_is_read_back_and_must_be_what_was_written_cut_as_vibectl_cuts_it()
    {
        var text = "<overseer>x</overseer>\n[bold]notes[/bold] :rocket:\t" + string.Concat(Enumerable.Repeat("🚀", 1990));
        var pod = new FakePod();
        pod.Settings["memory.max_chars"] = "2000";

        await Setup(pod).WriteMemoryAsync(Pod, text, Token); // vibectl cuts by code points: 2000 of them

        Assert.Equal(AgentMemory.Cut(text, 2000), pod.Memory);
        pod.Mangle = m => m.Replace("[bold]", "", StringComparison.Ordinal); // as Rich's rendering would
        var error = await Assert.ThrowsAsync<AgentSetupException>(() => Setup(pod).WriteMemoryAsync(Pod, text, Token));
        Assert.StartsWith("vibectl's memory in pod vibectl-abc reads back differently from what the Overseer wrote", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_held_lock_is_reported_as_a_round_still_running_in_the_pod()
    {
        var pod = new FakePod { LockHeld = true };

        var error = await Assert.ThrowsAsync<AgentBusyException>(() => Setup(pod).WriteMemoryAsync(Pod, "<overseer></overseer>", Token));

        Assert.Equal("Another agent round still runs in pod vibectl-abc (it holds /tmp/kafkademo-agent-round.lock); two rounds never run at once.", error.Message);
    }

    /// <summary>A pod whose vibectl answers as 0.11.6 does, with the misbehaviours each test asks for.</summary>
    private sealed class FakePod : IAgentChannel
    {
        public List<IReadOnlyList<string>> Commands { get; } = [];

        public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal) { ["llm.model"] = "claude-3.7-sonnet", ["memory.max_chars"] = "500" };

        public string Memory { get; private set; } = "";

        public string? Instructions { get; private set; }

        /// <summary>A key whose config set prints this error (on stderr, exit 0) and is not saved.</summary>
        public (string Key, string Error)? Refuse { get; init; }

        /// <summary>A key whose config set says it worked but is not saved.</summary>
        public string? Forget { get; init; }

        public Func<string, string> Mangle { get; set; } = m => m;

        public bool LockHeld { get; init; }

        public Task<AgentPod> FindPodAsync(CancellationToken cancellationToken) => Task.FromResult(Pod);

        public Task<AgentCommandResult> RunAsync(AgentPod pod, IReadOnlyList<string> command, Action<AgentOutputLine>? onLine, TimeSpan timeout, CancellationToken cancellationToken)
        {
            Commands.Add(command);
            return Task.FromResult(Answer([.. command], pod));
        }

        private AgentCommandResult Answer(List<string> command, AgentPod pod)
        {
            switch (command)
            {
                case ["flock", "-n", "-E", var code, _, .. var rest]:
                    // flock(2) locks belong to an open file: a flock inside a flock of the same file waits for itself.
                    return LockHeld || rest is ["flock", ..] ? new AgentCommandResult(int.Parse(code, CultureInfo.InvariantCulture), "", "", pod) : Answer([.. rest], pod);
                case ["env", _, .. var rest]:
                    return Answer([.. rest], pod);
                case ["llm", "models", "list"]:
                    return Ok("OpenAI Chat: gpt-4o (aliases: 4o)\nAnthropic Messages: anthropic/claude-3-7-sonnet-latest (aliases: claude-3.7-sonnet, claude-3.7-sonnet-latest)\n"
                        + "Anthropic Messages: anthropic/claude-sonnet-4-6 (aliases: claude-sonnet-4.6)\nDefault: gpt-4o-mini\n");
                case ["vibectl", "config", "set", var key, var value]:
                    if (Refuse is { } refuse && refuse.Key == key)
                    {
                        return new AgentCommandResult(0, "", refuse.Error + "\n", pod);
                    }

                    if (key != Forget)
                    {
                        Settings[key] = value;
                    }

                    return Ok($"Configuration {key} set to {value}\n");
                case ["vibectl", "instructions", "set", "--", var text]:
                    Instructions = text;
                    return Ok("Custom instructions set successfully.\n");
                case ["vibectl", "memory", "set", "--", var text]:
                    Memory = Mangle(AgentMemory.Cut(text, int.Parse(Settings["memory.max_chars"], CultureInfo.InvariantCulture)));
                    return Ok("Memory set\n");
                case ["cat", AgentDeployment.ConfigFile]:
                    return Ok(string.Join('\n',
                        "display:",
                        $"  show_kubectl: {Settings.GetValueOrDefault("display.show_kubectl", "false")}",
                        $"  show_streaming: {Settings.GetValueOrDefault("display.show_streaming", "true")}",
                        "llm:",
                        $"  model: {Settings["llm.model"]}",
                        "memory:",
                        $"  max_chars: {Settings["memory.max_chars"]}",
                        $"memory_content: {Quote(Memory)}",
                        "system:",
                        $"  custom_instructions: {(Instructions is null ? "null" : Quote(Instructions))}",
                        ""));
                default:
                    return new AgentCommandResult(127, "", $"unexpected: {string.Join(' ', command)}\n", pod);
            }

            AgentCommandResult Ok(string output) => new(0, output, "", pod);
        }

        /// <summary>A YAML double-quoted scalar.</summary>
        private static string Quote(string text) =>
            "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "\"";
    }
}
