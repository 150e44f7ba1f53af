extern alias overseer;

using k8s;
using overseer::KafkaDemo.Overseer.Agent;

namespace KafkaDemo.IntegrationTests.Agent;

/// <summary>
/// How the Overseer runs commands in the agent's pod, as the fake API server records each exec:
/// stdin off (so vibectl's confirmation prompt reads end-of-file instead of waiting for the round's
/// timeout), stdout and stderr on, no TTY, and every vibectl command with a console wide enough that
/// Rich does not split its lines.
/// </summary>
public sealed class AgentExecTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_exec_of_a_round_has_stdin_off_stdout_and_stderr_on_and_no_tty()
    {
        await using var cluster = await AgentCluster.StartAsync();

        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);

        var execs = cluster.Api.Execs;
        Assert.True(execs.Count >= 9, $"Only {execs.Count} execs.");
        for (var i = 0; i < execs.Count; i++)
        {
            Assert.False(cluster.Api.Execs[i].Stdin, $"exec {i} ({string.Join(' ', execs[i].Command.Take(3))}) asked for stdin");
            Assert.True(cluster.Api.Execs[i].Stdout);
            Assert.True(cluster.Api.Execs[i].Stderr);
            Assert.False(cluster.Api.Execs[i].Tty);
        }
    }

    [Fact]
    public async Task KubernetesClients_muxed_exec_asks_for_stdin_whatever_it_is_told_which_is_why_the_overseer_does_not_use_it()
    {
        // KubernetesClient 21.0.8 Kubernetes.WebSocket.cs MuxedStreamNamespacedPodExecAsync passes
        // only tty on to WebSocketNamespacedPodExecAsync, whose stdin defaults to true.
        await using var cluster = await AgentCluster.StartAsync();
        using var client = cluster.Api.CreateClient();

        using (var muxed = await client.MuxedStreamNamespacedPodExecAsync(cluster.Vibectl.Pod, "kafkademo-agent", ["llm", "models", "list"], "vibectl",
            stderr: true, stdin: false, stdout: true, tty: false, cancellationToken: Token))
        {
            muxed.Start();
            await cluster.Api.Execs[^1].Completion.WaitAsync(TimeSpan.FromSeconds(20), Token);
        }

        Assert.True(cluster.Api.Execs[^1].Stdin);
    }

    [Fact]
    public async Task Every_vibectl_command_runs_with_a_wide_console_so_no_line_is_split()
    {
        await using var cluster = await AgentCluster.StartAsync();

        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);

        var vibectl = cluster.Api.Execs.Select(e => e.Command.ToList()).Where(c => c.Contains("vibectl")).ToList();
        Assert.NotEmpty(vibectl);
        Assert.All(vibectl, c => Assert.Equal(["env", "COLUMNS=10000"], c.Skip(c.IndexOf("vibectl") - 2).Take(2)));

        // What Rich does without it (80 columns, vibectl-0.11.6.md §0): the agent's first command, 82
        // cells wide, is split in two at the last space that fits.
        var channel = cluster.Get<IAgentChannel>();
        var lines = new List<string>();
        await channel.RunAsync(await channel.FindPodAsync(Token), ["vibectl", "auto", "--limit", "1"], line => lines.Add(line.Text), TimeSpan.FromSeconds(30), Token);
        var split = lines.FindIndex(l => l.StartsWith("🔄 Running: kubectl get", StringComparison.Ordinal));
        Assert.True(split >= 0, string.Join('\n', lines));
        Assert.Equal(["🔄 Running: kubectl get kafka kafkademo -n kafka -o", "jsonpath={.spec.kafka.config}"], lines.Skip(split).Take(2).Select(l => l.TrimEnd()));
        var round = Assert.Single(cluster.Get<AgentActivity>().Rounds);
        Assert.Contains(round.Output, l => l.Text == "🔄 Running: kubectl get kafka kafkademo -n kafka -o jsonpath={.spec.kafka.config}");
        Assert.Contains(round.Output, l => l.Text.StartsWith("🔄 Running: kubectl patch kafka kafkademo -n kafka --type merge -p {\"spec\"", StringComparison.Ordinal));
    }
}
