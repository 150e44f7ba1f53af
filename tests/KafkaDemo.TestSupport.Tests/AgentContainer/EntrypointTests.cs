using System.Globalization;
using System.Text;
using KafkaDemo.TestSupport.AgentContainer;
using static KafkaDemo.TestSupport.Tests.AgentContainer.AgentWorlds;
using static KafkaDemo.TestSupport.Tests.AgentContainer.PodExec;

namespace KafkaDemo.TestSupport.Tests.AgentContainer;

/// <summary>
/// The agent pod's entrypoint, k3d/agent/idle.sh, as the stand-in runs it: interpreted from the
/// script's own text (AgentContainer/Image/ShellScript.cs), so the pod has what the script makes of
/// the Deployment's volumes: llm's keys.json from the mounted Secret (mode 0600, under every name
/// llm looks a key up by), the extra models file, and a log line when a key cannot be used. Checked
/// against the real dash (Debian's /bin/sh, as in the image's bookworm base).
/// </summary>
public sealed class EntrypointTests
{
    private const string KeysJson = "/home/vibectl/.config/llm/keys.json";
    private const string LlmDir = "/home/vibectl/.config/llm";
    private const string VibectlDir = "/home/vibectl/.config/vibectl";
    private const string ModelsFile = "/home/vibectl/.config/llm/extra-openai-models.yaml";
    private const string Models = "- model_id: local-model\n  model_name: qwen2.5\n  api_base: http://host.k3d.internal:8000/v1\n  api_key_name: kafkademo-llm\n";
    private const string Refused = "kafkademo-agent-idle: the LLM key has a character other than A-Z a-z 0-9 . _ ~ + / = : - so it was not written to llm's keys.json\n";

    private static readonly int Mode600 = Convert.ToInt32("600", 8);
    private static readonly int Mode700 = Convert.ToInt32("700", 8);

    [Fact]
    public async Task The_key_goes_into_llms_keys_json_under_each_name_llm_looks_it_up_by_with_mode_0600_and_into_no_variable()
    {
        const string Key = "sk-ant-api03-Ab_9~+/=:.-xyz";
        await using var world = await StartAsync(new AgentWorldOptions { LlmKey = Key });

        var keys = await RunAsync(world, "cat", KeysJson);

        // anthropic: llm-anthropic 0.25.1 _Shared.needs_key; openai: llm 0.26 openai_models.py Chat.needs_key;
        // kafkademo-llm: the api_key_name the AppHost writes for an OpenAI-compatible server.
        Assert.Equal((0, $"{{\"anthropic\": \"{Key}\", \"openai\": \"{Key}\", \"kafkademo-llm\": \"{Key}\"}}\n"), (keys.ExitCode!.Value, keys.Stdout));
        var run = await EntrypointRunAsync(world);
        Assert.Equal(["sleep", "infinity"], run.Exec);
        Assert.Equal("", run.Stdout + run.Stderr);
        Assert.Equal(Mode600, run.Modes[KeysJson]);
        Assert.Equal(Mode700, run.Modes[LlmDir]);
        var container = await ContainerAsync(world);
        Assert.DoesNotContain(container.Environment, e => e.Value.Contains(Key, StringComparison.Ordinal));
        Assert.Equal("/etc/kafkademo/llm-key/api-key", container.Environment["VIBECTL_ANTHROPIC_API_KEY_FILE"]);
        Assert.Equal("/etc/kafkademo/llm-key/api-key", container.Environment["VIBECTL_OPENAI_API_KEY_FILE"]);
    }

    [Fact]
    public async Task Without_a_key_there_is_no_keys_json()
    {
        await using var world = await StartAsync(new AgentWorldOptions { LlmKey = null });

        var keys = await RunAsync(world, "cat", KeysJson);

        Assert.Equal((1, $"cat: {KeysJson}: No such file or directory\n"), (keys.ExitCode!.Value, keys.Stderr));
        var run = await EntrypointRunAsync(world);
        Assert.Equal(["sleep", "infinity"], run.Exec);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task A_key_with_a_character_it_does_not_take_is_refused_with_a_log_line_that_does_not_show_it()
    {
        const string Key = "sk-ant-\"quoted\"\\key";
        await using var world = await StartAsync(new AgentWorldOptions { LlmKey = Key });

        var keys = await RunAsync(world, "cat", KeysJson);

        Assert.Equal(1, keys.ExitCode);
        var run = await EntrypointRunAsync(world);
        Assert.Equal(Refused, run.Stderr);
        Assert.DoesNotContain("quoted", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(["sleep", "infinity"], run.Exec); // the pod still runs: the agent is then not configured, and says why
    }

    [Fact]
    public async Task An_unset_variable_stops_the_script_as_dash_does_before_the_command_runs()
    {
        await using var world = await StartAsync();
        var container = await ContainerAsync(world);
        var environment = container.Environment.Where(e => e.Key != "LLM_USER_PATH").ToDictionary(StringComparer.Ordinal);
        var line = Array.FindIndex(File.ReadAllLines(Path.Combine(SharedReference.RepositoryRoot, "k3d", "agent", "idle.sh")), l => l.Contains("$LLM_USER_PATH", StringComparison.Ordinal)) + 1;

        var (run, failure) = AgentImage.FromRepository().EntrypointProgram.Prepare(environment, container.Files);

        Assert.Equal(2, run!.ExitCode);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"/usr/local/bin/kafkademo-agent-idle: {line}: LLM_USER_PATH: parameter not set\n"), run.Stderr);
        Assert.NotNull(failure);
        Assert.False(container.Files.DirectoryExists(VibectlDir), "set -u stops dash before the command whose word it could not expand.");
    }

    [Theory]
    [InlineData("for f in a b; do\n  echo \"$f\"\ndone", "'for' here (line 2)")]
    [InlineData("sed -i s/a/b/ /etc/f", "the command sed (line 2)")]
    [InlineData("echo $HOME", "an unquoted expansion in a command")]
    [InlineData("cat /etc/f | grep x", "the command cat (line 2)")]
    [InlineData("key=$(cat /etc/a /etc/b)", "a command substitution that is not $(cat FILE)")]
    [InlineData("echo a && echo b", "'&'")]
    [InlineData("if grep -q x /etc/f; then\n  echo y\nfi", "an if whose condition is not [ TEST ]")]
    [InlineData("printf '%s' \"$k\" 2>/dev/null", "a redirection of a numbered file descriptor")]
    public void The_stand_ins_sh_refuses_what_it_does_not_model_and_names_the_line(string statement, string named)
    {
        var error = Assert.Throws<NotSupportedException>(() => ShellScript.Parse("/usr/local/bin/kafkademo-agent-idle", "#!/bin/sh\n" + statement + "\n"));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not model", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string?, bool> Cases => new()
    {
        { "sk-ant-api03-Ab_9~+/=:.-xyz", false },
        { "sk-proj-0123456789abcdef\n", true }, // a trailing newline in the Secret: $(cat) drops it
        { null, true },
        { "", false },
        { "sk-ant-\"quoted\"", false },
        { "sk ant", true },
    };

    /// <summary>
    /// The same script, run by the real dash in a directory standing for the pod's file system (the
    /// script's /etc/kafkademo/ paths moved under it, and a sleep that returns at once), does what the
    /// stand-in makes of it in the pod: the same files with the same bytes and modes, the same log.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // dash, and file modes; RequiredTools.Dash skips elsewhere
    public async Task The_real_dash_does_with_the_script_what_the_stand_in_does(string? key, bool models)
    {
        var dash = RequiredTools.Dash();
        await using var world = await StartAsync(new AgentWorldOptions { LlmKey = key, ExtraOpenAiModels = models ? Models : null });
        var inPod = await RunAsync(world, "cat", KeysJson);
        var run = await EntrypointRunAsync(world);
        var container = await ContainerAsync(world);

        var root = Directory.CreateTempSubdirectory("kafkademo-idle-").FullName;
        try
        {
            var etc = Path.Combine(root, "etc", "kafkademo");
            Directory.CreateDirectory(Path.Combine(etc, "llm-key"));
            Directory.CreateDirectory(Path.Combine(etc, "llm"));
            if (key is not null)
            {
                await File.WriteAllBytesAsync(Path.Combine(etc, "llm-key", "api-key"), Encoding.UTF8.GetBytes(key), Token);
            }

            if (models)
            {
                await File.WriteAllTextAsync(Path.Combine(etc, "llm", "extra-openai-models.yaml"), Models, Token);
            }

            Directory.CreateDirectory(Path.Combine(root, "bin"));
            var sleep = Path.Combine(root, "bin", "sleep");
            await File.WriteAllTextAsync(sleep, "#!/bin/sh\nexit 0\n", Token);
            File.SetUnixFileMode(sleep, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            var script = Path.Combine(root, "idle.sh");
            var text = await File.ReadAllTextAsync(Path.Combine(SharedReference.RepositoryRoot, "k3d", "agent", "idle.sh"), Token);
            await File.WriteAllTextAsync(script, text.Replace("/etc/kafkademo/", etc + "/", StringComparison.Ordinal), Token);
            string Home(string path) => root + path;

            var (exitCode, output, error) = await ExternalTool.RunAsync("/usr/bin/env",
                ["-i", $"PATH={root}/bin:/usr/bin:/bin", "LANG=C.UTF-8", $"VIBECTL_CONFIG_DIR={Home(VibectlDir)}", $"LLM_USER_PATH={Home(LlmDir)}", dash, script]);

            Assert.Equal(0, exitCode); // exec sleep: the stand-in's run ended there too
            Assert.Equal(["sleep", "infinity"], run.Exec);
            Assert.Equal(output, run.Stdout);
            Assert.Equal(error, run.Stderr);
            foreach (var path in new[] { KeysJson, ModelsFile })
            {
                var real = Home(path);
                Assert.Equal(File.Exists(real), container.Files.FileExists(path));
                if (File.Exists(real))
                {
                    Assert.Equal(await File.ReadAllBytesAsync(real, Token), container.Files.ReadAllBytes(path));
                    Assert.Equal((int)File.GetUnixFileMode(real), run.Modes[path]);
                }
            }

            foreach (var path in new[] { LlmDir, VibectlDir })
            {
                Assert.Equal((int)File.GetUnixFileMode(Home(path)), run.Modes[path]);
            }

            Assert.Equal(File.Exists(Home(KeysJson)) ? 0 : 1, inPod.ExitCode);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<ShellRun> EntrypointRunAsync(AgentWorld world)
    {
        var pod = await world.WaitForAgentPodAsync(Token);
        return world.Agent.EntrypointRun(AgentWorld.AgentNamespace, pod.Metadata.Name) ?? throw new InvalidOperationException("The entrypoint has not run: no exec into the pod yet.");
    }
}
