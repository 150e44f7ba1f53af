using System.Net.WebSockets;
using System.Text;
using k8s;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>Pod exec over WebSocket through KubernetesClient, as the Overseer will run commands in a broker pod.</summary>
public sealed class ExecTests
{
    [Fact]
    public async Task Output_reaches_the_client_while_the_command_still_runs()
    {
        await using var cluster = await StartWithPodAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.Api.OnExec(async exec =>
        {
            await exec.Stdout.WriteLineAsync("first");
            await release.Task.WaitAsync(exec.CancellationToken);
            await exec.Stdout.WriteLineAsync("second");
            return 0;
        });

        using var socket = await cluster.Client.WebSocketNamespacedPodExecAsync(
            "broker-0", "kafka", ["kafka-topics.sh", "--list"], "kafka", stderr: true, stdin: false, stdout: true, tty: false, cancellationToken: Token);
        using var demuxer = new StreamDemuxer(socket);
        using var stdout = new StreamReader(demuxer.GetStream(ChannelIndex.StdOut, null));
        using var status = new StreamReader(demuxer.GetStream(ChannelIndex.Error, null));
        demuxer.Start();

        Assert.Equal("first", await stdout.ReadLineAsync(Token).AsTask().WaitAsync(Deadline, Token));
        var invocation = Assert.Single(cluster.Api.Execs);
        Assert.Null(invocation.ExitCode);
        Assert.False(invocation.Completion.IsCompleted);
        release.SetResult();
        Assert.Equal("second", await stdout.ReadLineAsync(Token).AsTask().WaitAsync(Deadline, Token));
        var final = Parse(await status.ReadToEndAsync(Token).WaitAsync(Deadline, Token));
        Assert.Equal("Success", final["status"]!.GetValue<string>());
        Assert.Equal(WebSocketProtocol.V4BinaryWebsocketProtocol, socket.SubProtocol);
        Assert.Equal(0, invocation.ExitCode);
    }

    [Fact]
    public async Task The_exit_code_comes_back_through_the_status_channel_and_stderr_is_separate()
    {
        await using var cluster = await StartWithPodAsync();
        cluster.Api.OnExec(async exec =>
        {
            await exec.Stdout.WriteLineAsync("partial output");
            await exec.Stderr.WriteLineAsync("Error: broker not available");
            return exec.Command[^1] == "ok" ? 0 : 3;
        });
        string? output = null;
        string? error = null;

        var failed = await cluster.Client.NamespacedPodExecAsync("broker-0", "kafka", "kafka", ["kafka-configs.sh", "fail"], false, async (_, stdout, stderr) =>
        {
            output = await new StreamReader(stdout).ReadToEndAsync(Token);
            error = await new StreamReader(stderr).ReadToEndAsync(Token);
        }, Token);
        var succeeded = await cluster.Client.NamespacedPodExecAsync("broker-0", "kafka", "kafka", ["kafka-configs.sh", "ok"], false, (_, _, _) => Task.CompletedTask, Token);

        Assert.Equal(3, failed);
        Assert.Equal("partial output\n", output);
        Assert.Equal("Error: broker not available\n", error);
        Assert.Equal(0, succeeded);
        Assert.Equal([3, 0], cluster.Api.Execs.Select(e => e.ExitCode));
    }

    [Fact]
    public async Task The_argument_array_arrives_exactly_as_sent()
    {
        await using var cluster = await StartWithPodAsync();
        string[] command =
        [
            "sh", "-c", "echo \"a b\" 'c d' $(whoami) `id` && exit 0\nsecond line\ttab",
            "", "  spaced  ", "ünïcödé ✓", "a&b=c?d#e%20+f/g", "--opt=\"quoted\"", "$HOME", "back\\slash",
        ];
        IReadOnlyList<string>? received = null;
        cluster.Api.OnExec(exec =>
        {
            received = exec.Command;
            return Task.FromResult(0);
        });

        var exitCode = await cluster.Client.NamespacedPodExecAsync("broker-0", "kafka", "kafka", command, false, (_, _, _) => Task.CompletedTask, Token);

        Assert.Equal(0, exitCode);
        Assert.Equal(command, received);
        Assert.Equal("kafka", Assert.Single(cluster.Api.Execs).Container);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_client_that_goes_away_cancels_the_command(bool closeGracefully)
    {
        await using var cluster = await StartWithPodAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.Api.OnExec(async exec =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, exec.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                cancelled.SetResult();
                throw;
            }

            return 0;
        });

        var socket = await cluster.Client.WebSocketNamespacedPodExecAsync(
            "broker-0", "kafka", ["kafka-console-consumer.sh", "--topic", "orders"], "kafka", stdin: false, tty: false, cancellationToken: Token);
        await started.Task.WaitAsync(Deadline, Token);
        if (closeGracefully)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", Token);
        }
        else
        {
            socket.Abort();
        }

        await cancelled.Task.WaitAsync(Deadline, Token);
        socket.Dispose();
        var invocation = Assert.Single(cluster.Api.Execs);
        await invocation.Completion.WaitAsync(Deadline, Token);
        Assert.True(invocation.ClientLeft);
        Assert.Null(invocation.ExitCode);
    }

    [Fact]
    public async Task Stdin_reaches_the_command_and_v5_closes_it()
    {
        await using var cluster = await StartWithPodAsync();
        cluster.Api.OnExec(async exec =>
        {
            var input = await new StreamReader(exec.Stdin).ReadToEndAsync(exec.CancellationToken);
            await exec.Stdout.WriteAsync(input.ToUpperInvariant());
            return 0;
        });

        using var socket = await cluster.Client.WebSocketNamespacedPodExecAsync(
            "broker-0", "kafka", ["tr", "a-z", "A-Z"], "kafka", stdin: true, tty: false,
            webSocketSubProtocol: WebSocketProtocol.V5BinaryWebsocketProtocol, cancellationToken: Token);
        Assert.Equal(WebSocketProtocol.V5BinaryWebsocketProtocol, socket.SubProtocol);
        using var demuxer = new StreamDemuxer(socket, StreamType.RemoteCommand, ownsSocket: false, supportsClose: true);
        using var stdout = new StreamReader(demuxer.GetStream(ChannelIndex.StdOut, null));
        using var status = new StreamReader(demuxer.GetStream(ChannelIndex.Error, null));
        demuxer.Start();
        using (var stdin = demuxer.GetStream(null, ChannelIndex.StdIn))
        {
            await stdin.WriteAsync(Encoding.UTF8.GetBytes("orders:3\n"), Token);
            await stdin.WriteAsync(Encoding.UTF8.GetBytes("clicks:1\n"), Token);
        }

        Assert.Equal("ORDERS:3\nCLICKS:1\n", await stdout.ReadToEndAsync(Token).WaitAsync(Deadline, Token));
        Assert.Equal("Success", Parse(await status.ReadToEndAsync(Token).WaitAsync(Deadline, Token))["status"]!.GetValue<string>());
        Assert.Equal(WebSocketProtocol.V5BinaryWebsocketProtocol, Assert.Single(cluster.Api.Execs).Protocol);
    }

    [Fact]
    public async Task Stdin_over_v4_reaches_the_command_through_NamespacedPodExecAsync()
    {
        await using var cluster = await StartWithPodAsync();
        cluster.Api.OnExec(async exec =>
        {
            using var reader = new StreamReader(exec.Stdin);
            var line = await reader.ReadLineAsync(exec.CancellationToken);
            await exec.Stdout.WriteLineAsync($"got {line}");
            return 0;
        });
        string? output = null;

        var exitCode = await cluster.Client.NamespacedPodExecAsync("broker-0", "kafka", "kafka", ["read"], false, async (stdin, stdout, _) =>
        {
            await stdin.WriteAsync(Encoding.UTF8.GetBytes("retention.ms=5000\n"), Token);
            output = await new StreamReader(stdout).ReadToEndAsync(Token);
        }, Token);

        Assert.Equal(0, exitCode);
        Assert.Equal("got retention.ms=5000\n", output);
        Assert.Equal(WebSocketProtocol.V4BinaryWebsocketProtocol, Assert.Single(cluster.Api.Execs).Protocol);
    }

    [Fact]
    public async Task Exec_needs_an_existing_running_pod_and_a_handler()
    {
        await using var cluster = await StartWithPodAsync();

        // KubernetesClient surfaces a refused upgrade as the WebSocket error, as it does with a real server.
        var missing = await Assert.ThrowsAsync<WebSocketException>(() =>
            cluster.Client.NamespacedPodExecAsync("broker-9", "kafka", "kafka", ["true"], false, (_, _, _) => Task.CompletedTask, Token));
        Assert.Contains("'404'", missing.Message, StringComparison.Ordinal);
        Assert.Contains(cluster.Api.Requests, r => r.Path == "/api/v1/namespaces/kafka/pods/broker-9/exec" && r.StatusCode == 404);
        Assert.Empty(cluster.Api.Execs);

        var noHandler = await Assert.ThrowsAsync<KubernetesException>(() =>
            cluster.Client.NamespacedPodExecAsync("broker-0", "kafka", "kafka", ["true"], false, (_, _, _) => Task.CompletedTask, Token));
        Assert.Contains("no exec handler", noHandler.Message, StringComparison.Ordinal);

        cluster.Api.PatchStatus(ResourceType.Pods, "kafka", "broker-0", Parse("""{"phase":"Succeeded"}"""));
        cluster.Api.OnExec(_ => Task.FromResult(0));
        var completed = await Assert.ThrowsAsync<WebSocketException>(() =>
            cluster.Client.NamespacedPodExecAsync("broker-0", "kafka", "kafka", ["true"], false, (_, _, _) => Task.CompletedTask, Token));
        Assert.Contains("'400'", completed.Message, StringComparison.Ordinal);
        Assert.Contains(cluster.Api.Requests, r => r.Path == "/api/v1/namespaces/kafka/pods/broker-0/exec" && r.StatusCode == 400);
    }

    [Fact]
    public async Task The_command_knows_whether_stdin_was_asked_for_and_without_it_reads_its_end_at_once()
    {
        await using var cluster = await StartWithPodAsync();
        cluster.Api.OnExec(async exec =>
        {
            var input = await new StreamReader(exec.Stdin).ReadToEndAsync(exec.CancellationToken);
            await exec.Stdout.WriteAsync($"{exec.StdinRequested}:{input}");
            return 0;
        });

        foreach (var stdinWanted in new[] { false, true })
        {
            using var socket = await cluster.Client.WebSocketNamespacedPodExecAsync(
                "broker-0", "kafka", ["cat"], "kafka", stdin: stdinWanted, tty: false,
                webSocketSubProtocol: WebSocketProtocol.V5BinaryWebsocketProtocol, cancellationToken: Token);
            using var demuxer = new StreamDemuxer(socket, StreamType.RemoteCommand, ownsSocket: false, supportsClose: true);
            using var stdout = new StreamReader(demuxer.GetStream(ChannelIndex.StdOut, null));
            demuxer.Start();
            if (stdinWanted)
            {
                using var stdin = demuxer.GetStream(null, ChannelIndex.StdIn);
                await stdin.WriteAsync("typed"u8.ToArray(), Token);
            }

            Assert.Equal(stdinWanted ? "True:typed" : "False:", await stdout.ReadToEndAsync(Token).WaitAsync(Deadline, Token));
        }

        Assert.Equal([false, true], cluster.Api.Execs.Select(e => e.Stdin));
    }

    [Fact]
    public async Task A_pod_put_in_place_as_running_gets_its_container_started_at_the_first_exec()
    {
        await using var cluster = await StartWithPodAsync();
        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"jmx","namespace":"kafka"},"data":{"port":"OTQwNA=="}}"""));
        cluster.Api.Put(Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"broker-1","namespace":"kafka"},
             "spec":{"containers":[{"name":"kafka","image":"quay.io/strimzi/kafka","env":[{"name":"JMX_PORT","valueFrom":{"secretKeyRef":{"name":"jmx","key":"port"}}}]}]},
             "status":{"phase":"Running"}}
            """));
        Assert.Null(cluster.Api.FindRunningContainer("kafka", "broker-1"));
        cluster.Api.OnExec(async exec =>
        {
            await exec.Stdout.WriteAsync($"{exec.Environment["JMX_PORT"]} {exec.ServiceAccount} {exec.PodUid == exec.PodObject["metadata"]!["uid"]!.GetValue<string>()}");
            return 0;
        });

        string? output = null;
        await cluster.Client.NamespacedPodExecAsync("broker-1", "kafka", "kafka", ["env"], false, async (_, stdout, _) => output = await new StreamReader(stdout).ReadToEndAsync(Token), Token);

        Assert.Equal("9404 kafka/default True", output);
        Assert.Equal("9404", cluster.Api.FindRunningContainer("kafka", "broker-1", "kafka")!.Environment["JMX_PORT"]);
    }

    [Fact]
    public async Task Exec_into_a_container_that_never_started_is_refused_as_the_kubelet_refuses_it()
    {
        await using var cluster = await Workloads.StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        var container = Workloads.Container("vibectl");
        container.Env = [new k8s.Models.V1EnvVar { Name = "KEY", ValueFrom = new k8s.Models.V1EnvVarSource { SecretKeyRef = new k8s.Models.V1SecretKeySelector { Name = "vibectl-llm", Key = "api-key" } } }];
        await Workloads.CreateAsync(cluster, Workloads.Deployment("agent", Workloads.Spec(container)));
        var pod = (await Workloads.SinglePodAsync(cluster, "agent", ready: false)).Metadata.Name;
        var ran = false;
        cluster.Api.OnExec(_ =>
        {
            ran = true;
            return Task.FromResult(0);
        });

        // v5: the API server upgrades, then reports the kubelet's refusal as an InternalError status.
        using (var socket = await cluster.Client.WebSocketNamespacedPodExecAsync(
            pod, Workloads.Namespace, ["vibectl", "memory", "show"], "vibectl", stdin: false, tty: false,
            webSocketSubProtocol: WebSocketProtocol.V5BinaryWebsocketProtocol, cancellationToken: Token))
        {
            using var demuxer = new StreamDemuxer(socket, StreamType.RemoteCommand, ownsSocket: false, supportsClose: true);
            using var status = new StreamReader(demuxer.GetStream(ChannelIndex.Error, null));
            demuxer.Start();
            var refusal = Parse(await status.ReadToEndAsync(Token).WaitAsync(Deadline, Token));
            Assert.Equal(("Failure", "InternalError", 500), (refusal["status"]!.GetValue<string>(), refusal["reason"]!.GetValue<string>(), refusal["code"]!.GetValue<int>()));
            Assert.Equal("Internal error occurred: unable to upgrade connection: container not found (\"vibectl\")", refusal["message"]!.GetValue<string>());
        }

        // v4 (KubernetesClient's default): the kubelet's 500 reaches the client as the refused upgrade.
        var v4 = await Assert.ThrowsAsync<WebSocketException>(() =>
            cluster.Client.NamespacedPodExecAsync(pod, Workloads.Namespace, "vibectl", ["true"], false, (_, _, _) => Task.CompletedTask, Token));
        Assert.Contains("'500'", v4.Message, StringComparison.Ordinal);
        Assert.False(ran);
        Assert.Equal("container not found (\"vibectl\")", Assert.Single(cluster.Api.Execs).Failure);
    }

    private static async Task<FakeCluster> StartWithPodAsync()
    {
        var cluster = await StartAsync();
        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kafka"}}"""));
        cluster.Api.Put(Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"broker-0","namespace":"kafka","labels":{"strimzi.io/name":"demo-kafka"}},
             "spec":{"containers":[{"name":"kafka","image":"quay.io/strimzi/kafka"}]},"status":{"phase":"Running"}}
            """));
        return cluster;
    }
}
