using KafkaDemo.TestSupport.AgentContainer;
using Microsoft.Extensions.Time.Testing;
using static KafkaDemo.TestSupport.Tests.AgentContainer.AgentWorlds;
using static KafkaDemo.TestSupport.Tests.AgentContainer.PodExec;

namespace KafkaDemo.TestSupport.Tests.AgentContainer;

/// <summary>
/// The agent container's command lines as the runtime runs them (no shell), through the fake's real
/// exec: a missing executable, coreutils env, timeout and cat, util-linux flock, the image's
/// environment and entrypoint, and processes that outlive their exec connection.
/// </summary>
public sealed class ContainerProgramTests
{
    private const string Lock = "/tmp/kafkademo-agent-round.lock";

    [Fact]
    public async Task A_program_the_image_does_not_have_fails_as_the_runtime_fails_and_is_a_stand_in_gap()
    {
        await using var world = await StartAsync();

        var outcome = await RunAsync(world, "sh", "-c", "echo hi");

        Assert.Null(outcome.ExitCode);
        Assert.Equal("InternalError", (string?)outcome.Status!["reason"]);
        Assert.Equal(500, (int?)outcome.Status["code"]);
        Assert.Matches("^Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"[0-9a-f]{64}\": "
            + @"OCI runtime exec failed: exec failed: unable to start container process: exec: ""sh"": executable file not found in \$PATH: unknown$",
            (string)outcome.Status["message"]!);
        Assert.Contains(world.Agent.TakeGaps(), g => g.Contains("exec of sh", StringComparison.Ordinal));
    }

    [Fact]
    public async Task env_sets_variables_for_the_command_it_becomes_and_quotes_as_coreutils_in_its_locale()
    {
        await using var world = await StartAsync();

        var printed = await RunAsync(world, "env", "-u", "HOME", "COLUMNS=120", "env");
        var missing = await RunAsync(world, "env", "FOO=1", "nope");
        var plainLocale = await RunAsync(world, "env", "-i", "PATH=/usr/bin", "env", "nope");

        Assert.Equal(0, printed.ExitCode);
        Assert.Contains("COLUMNS=120", printed.StdoutLines);
        Assert.Contains("VIBECTL_CONFIG_DIR=/home/vibectl/.config/vibectl", printed.StdoutLines);
        Assert.DoesNotContain(printed.StdoutLines, l => l.StartsWith("HOME=", StringComparison.Ordinal));
        Assert.Equal((127, "env: ‘nope’: No such file or directory\n"), (missing.ExitCode!.Value, missing.Stderr));
        Assert.Equal((127, "env: 'nope': No such file or directory\n"), (plainLocale.ExitCode!.Value, plainLocale.Stderr));
        Assert.Equal(2, world.Agent.TakeGaps().Count);
    }

    [Fact]
    public async Task cat_prints_a_file_and_reports_one_it_cannot_read()
    {
        await using var world = await StartAsync();
        await RunAsync(world, "vibectl", "--version");

        var outcome = await RunAsync(world, "cat", "/etc/kafkademo/kube/config", "/nope", "/tmp");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("server: https://kubernetes.default.svc", outcome.Stdout, StringComparison.Ordinal);
        Assert.Equal("cat: /nope: No such file or directory\ncat: /tmp: Is a directory\n", outcome.Stderr);
    }

    [Fact]
    public async Task timeout_and_flock_refuse_bad_arguments_as_coreutils_and_util_linux_do()
    {
        await using var world = await StartAsync();

        var interval = await RunAsync(world, "timeout", "5x", "vibectl", "--version");
        var operands = await RunAsync(world, "timeout", "5");
        var exitCode = await RunAsync(world, "flock", "-n", "-E", "300", Lock, "vibectl", "--version");
        var readOnly = await RunAsync(world, "flock", "-n", "/etc/agent.lock", "vibectl", "--version");
        var noDirectory = await RunAsync(world, "flock", "-n", "/tmp/no/such/dir/lock", "vibectl", "--version");
        var missing = await RunAsync(world, "flock", "-n", Lock, "nope");

        Assert.Equal((125, "timeout: invalid time interval ‘5x’\nTry 'timeout --help' for more information.\n"), (interval.ExitCode!.Value, interval.Stderr));
        Assert.Equal((125, "Try 'timeout --help' for more information.\n"), (operands.ExitCode!.Value, operands.Stderr));
        Assert.Equal((64, "flock: exit code out of range (expected 0 to 255)\n"), (exitCode.ExitCode!.Value, exitCode.Stderr));
        Assert.Equal((73, "flock: cannot open lock file /etc/agent.lock: Read-only file system\n"), (readOnly.ExitCode!.Value, readOnly.Stderr));
        Assert.Equal((66, "flock: cannot open lock file /tmp/no/such/dir/lock: No such file or directory\n"), (noDirectory.ExitCode!.Value, noDirectory.Stderr));
        Assert.Equal((69, "flock: failed to execute nope: No such file or directory\n"), (missing.ExitCode!.Value, missing.Stderr));
        Assert.Single(world.Agent.TakeGaps());
    }

    [Fact]
    public async Task A_process_outlives_its_dropped_exec_and_keeps_the_lock_until_timeout_stops_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var model = new ScriptedModel { Planner = _ => ModelAnswer.Hang() };
        await using var world = await WithLlmKeyAsync(clock, model);
        await ConfigureLikeTheOverseerAsync(world);
        using var drop = new CancellationTokenSource();
        string[] round = ["flock", "-n", "-E", "75", Lock, "timeout", "--kill-after=10", "600", "env", "COLUMNS=10000", "vibectl", "auto", "--limit", "5"];

        var first = RunUntilDroppedAsync(world, round, drop.Token);
        await UntilAsync(() => model.Calls.Count == 1, "vibectl never asked the model for a plan.");
        await drop.CancelAsync();
        var dropped = await first;

        // The client left: no status came; the kubelet did not kill the process, which still holds the lock.
        Assert.Null(dropped.Status);
        await UntilAsync(() => world.Api.Execs.Any(e => e.ClientLeft && e.Command.SequenceEqual(round)), "the fake never saw the client leave.");
        var pod = (await world.WaitForAgentPodAsync(Token)).Metadata.Name;
        Assert.Contains(world.Agent.RunningProcesses(AgentWorld.AgentNamespace, pod), p => p is ["vibectl", "auto", ..]);
        var busy = await RunAsync(world, ["flock", "-n", "-E", "75", Lock, "env", "COLUMNS=10000", "vibectl", "memory", "show"], stdin: null);
        Assert.Equal(75, busy.ExitCode);

        // coreutils timeout still ends it (SIGTERM kills Python), and the lock goes with it; what it
        // printed meanwhile went nowhere.
        clock.Advance(TimeSpan.FromSeconds(600));
        await UntilAsync(() => world.Agent.RunningProcesses(AgentWorld.AgentNamespace, pod).Count == 0, "timeout did not end the round.");
        var free = await RunAsync(world, ["flock", "-n", "-E", "75", Lock, "env", "COLUMNS=10000", "vibectl", "memory", "show"], stdin: null);
        Assert.Equal(0, free.ExitCode);
        Assert.Null(Assert.Single(world.Agent.AutoSessions).Outcome);
    }

    [Fact]
    public async Task timeout_ends_a_command_that_runs_too_long_with_124()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var model = new ScriptedModel { Planner = _ => ModelAnswer.Hang() };
        await using var world = await WithLlmKeyAsync(clock, model);
        await ConfigureLikeTheOverseerAsync(world);

        var running = RunAsync(world, "timeout", "30", "env", "COLUMNS=10000", "vibectl", "auto", "--limit", "1");
        await UntilAsync(() => model.Calls.Count == 1, "vibectl never asked the model for a plan.");
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(running.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        var outcome = await running;

        Assert.Equal(124, outcome.ExitCode);
        Assert.Equal("🔄 Consulting claude-sonnet-4.6 for a plan...\n", outcome.Stdout);
        Assert.Equal("Note: Starting vibectl auto session\n", outcome.Stderr);
    }

    [Fact]
    public async Task The_container_has_the_images_environment_user_and_working_directory_and_the_entrypoints_files()
    {
        await using var world = await StartAsync(new AgentWorldOptions
        {
            ExtraOpenAiModels = "- model_id: local-model\n  model_name: qwen2.5\n  api_base: http://host.k3d.internal:8000/v1\n",
        });
        var container = await ContainerAsync(world);

        Assert.Equal("/home/vibectl/.config/vibectl", container.Environment["VIBECTL_CONFIG_DIR"]);
        Assert.Equal("/home/vibectl/.config/llm", container.Environment["LLM_USER_PATH"]);
        Assert.Equal("1", container.Environment["PYTHONUNBUFFERED"]);
        Assert.Equal("C.UTF-8", container.Environment["LANG"]);
        Assert.StartsWith("/usr/local/bin:", container.Environment["PATH"], StringComparison.Ordinal);
        Assert.Equal("/home/vibectl", container.Files.WorkingDirectory);
        Assert.Equal("10001", container.User);

        // The entrypoint's effect (idle.sh: mkdir -p, and the models file copied) is there at the first exec.
        await RunAsync(world, "vibectl", "--version");
        Assert.True(container.Files.DirectoryExists("/home/vibectl/.config/llm"));
        Assert.Equal("- model_id: local-model\n  model_name: qwen2.5\n  api_base: http://host.k3d.internal:8000/v1\n",
            container.Files.ReadAllText("/home/vibectl/.config/llm/extra-openai-models.yaml"));
    }
}
