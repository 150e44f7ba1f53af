using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using KafkaDemo.TestSupport.AgentContainer;

namespace KafkaDemo.TestSupport.Tests.AgentContainer;

/// <summary>How an exec ended: the exit code (null when the status was not an exit), both streams, the status.</summary>
internal sealed record ExecOutcome(int? ExitCode, string Stdout, string Stderr, JsonObject? Status)
{
    public IReadOnlyList<string> StdoutLines => Lines(Stdout);

    public IReadOnlyList<string> StderrLines => Lines(Stderr);

    private static string[] Lines(string text) => text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
}

/// <summary>
/// Runs a command in the agent's pod the way the Overseer does: KubernetesClient's WebSocket exec
/// (v4, no TTY), stdin off unless asked for, the exit code from the status channel.
/// </summary>
internal static class PodExec
{
    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<ExecOutcome> RunAsync(AgentWorld world, params string[] command) => await RunAsync(world, command, stdin: null);

    /// <param name="stdin">null: stdin off; otherwise stdin is opened and this is written (and left open unless <paramref name="closeStdin"/>).</param>
    public static Task<ExecOutcome> RunAsync(AgentWorld world, IReadOnlyList<string> command, string? stdin, bool closeStdin = true) =>
        RunCoreAsync(world, command, stdin, closeStdin, CancellationToken.None);

    /// <summary>As <see cref="RunAsync(AgentWorld, string[])"/>, with stdin off; when <paramref name="drop"/> fires, the client drops the connection (the outcome then has no status).</summary>
    public static Task<ExecOutcome> RunUntilDroppedAsync(AgentWorld world, IReadOnlyList<string> command, CancellationToken drop) =>
        RunCoreAsync(world, command, null, true, drop);

    private static async Task<ExecOutcome> RunCoreAsync(AgentWorld world, IReadOnlyList<string> command, string? stdin, bool closeStdin, CancellationToken drop)
    {
        var pod = await world.WaitForAgentPodAsync(Token);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(TimeSpan.FromSeconds(90));
        using var dropped = drop.Register(() => deadline.Cancel());
        var socket = await world.Client.WebSocketNamespacedPodExecAsync(pod.Metadata.Name, AgentWorld.AgentNamespace, command, "vibectl",
            stderr: true, stdin: stdin is not null, stdout: true, tty: false,
            webSocketSubProtocol: stdin is not null ? WebSocketProtocol.V5BinaryWebsocketProtocol : WebSocketProtocol.V4BinaryWebsocketProtocol,
            cancellationToken: deadline.Token);
        using var abort = deadline.Token.Register(socket.Abort);
        using var demuxer = new StreamDemuxer(socket, StreamType.RemoteCommand, ownsSocket: true, supportsClose: stdin is not null);
        var stdout = demuxer.GetStream(ChannelIndex.StdOut, null);
        var stderr = demuxer.GetStream(ChannelIndex.StdErr, null);
        var status = demuxer.GetStream(ChannelIndex.Error, null);
        var input = stdin is not null ? demuxer.GetStream(null, ChannelIndex.StdIn) : null;
        demuxer.Start();
        if (input is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(stdin!);
            if (bytes.Length > 0)
            {
                await input.WriteAsync(bytes, deadline.Token);
            }

            if (closeStdin)
            {
                await input.DisposeAsync();
            }
        }

        var output = new StreamReader(stdout, Encoding.UTF8).ReadToEndAsync(CancellationToken.None);
        var error = new StreamReader(stderr, Encoding.UTF8).ReadToEndAsync(CancellationToken.None);
        var statusText = await new StreamReader(status).ReadToEndAsync(CancellationToken.None);
        var (outText, errText) = (await output, await error);
        if (!drop.IsCancellationRequested)
        {
            deadline.Token.ThrowIfCancellationRequested();
        }

        var json = string.IsNullOrWhiteSpace(statusText) ? null : JsonNode.Parse(statusText)!.AsObject();
        int? exit = json?["status"]?.GetValue<string>() == "Success" ? 0
            : json?["reason"]?.GetValue<string>() == "NonZeroExitCode"
                ? int.Parse(json["details"]!["causes"]!.AsArray().First(c => (string?)c!["reason"] == "ExitCode")!["message"]!.GetValue<string>(), CultureInfo.InvariantCulture)
                : null;
        return new ExecOutcome(exit, outText, errText, json);
    }
}
