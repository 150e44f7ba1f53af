using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// One exec over the Kubernetes channel WebSocket protocol (v4.channel.k8s.io or v5.channel.k8s.io):
/// every binary message starts with its channel (0 stdin, 1 stdout, 2 stderr, 3 the final v1.Status,
/// 4 terminal resize); v5 adds channel 255, whose message <c>[255, n]</c> closes channel n (the client
/// closes stdin that way). The session runs the handler, feeds it stdin, sends its output as it is
/// written, then sends the status with the exit code and closes the connection.
/// </summary>
internal sealed class ExecWebSocketSession : IDisposable
{
    public const string V5 = "v5.channel.k8s.io";
    public const string V4 = "v4.channel.k8s.io";
    private const byte StdinChannel = 0;
    private const byte StatusChannel = 3;
    private const byte CloseChannel = 255;

    private readonly WebSocket socket;
    private readonly bool supportsClose;
    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly Pipe stdin = new();
    private readonly CancellationTokenSource clientGone = new();

    public ExecWebSocketSession(WebSocket socket, string protocol)
    {
        this.socket = socket;
        supportsClose = protocol == V5;
    }

    /// <summary>The best protocol the client offers, or null if it offers none the fake speaks.</summary>
    public static string? Negotiate(IEnumerable<string> offered)
    {
        var protocols = offered.SelectMany(p => p.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        return protocols.Contains(V5) ? V5 : protocols.Contains(V4) ? V4 : null;
    }

    public async Task RunAsync(ExecInvocation invocation, ExecTarget target, Func<ExecContext, Task<int>>? handler, CancellationToken stopping)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(clientGone.Token, stopping);
        var receiving = ReceiveAsync(invocation.Stdin);
        var stdout = new ExecOutputStream(this, 1, invocation.Stdout);
        var stderr = invocation.Tty ? new ExecOutputStream(this, 1, invocation.Stdout) : new ExecOutputStream(this, 2, invocation.Stderr);
        var context = new ExecContext(invocation, target, invocation.Stdin ? stdin.Reader.AsStream() : Stream.Null, stdout, stderr, ended.Token);
        JsonObject status;
        try
        {
            if (handler is null)
            {
                throw new InvalidOperationException("the fake Kubernetes API has no exec handler; register one with FakeKubernetesApi.OnExec");
            }

            var exitCode = await handler(context);
            invocation.ExitCode = exitCode;
            status = exitCode == 0 ? Success() : NonZeroExit(invocation.Command, exitCode);
        }
        catch (Exception) when (ended.IsCancellationRequested)
        {
            invocation.ClientLeft = clientGone.IsCancellationRequested;
            invocation.Failure = clientGone.IsCancellationRequested ? "the client went away" : "the fake stopped";
            socket.Abort();
            await receiving;
            return;
        }
        catch (ExecRuntimeException failure)
        {
            invocation.Failure = failure.Message;
            status = InternalError($"error executing command in container: {failure.Message}");
        }
        catch (Exception failure)
        {
            invocation.Failure = failure.Message;
            status = new JsonObject
            {
                ["metadata"] = new JsonObject(),
                ["status"] = "Failure",
                ["message"] = failure.Message,
                ["reason"] = "InternalError",
            };
        }

        try
        {
            await SendAsync(StatusChannel, Encoding.UTF8.GetBytes(JsonResponse.Serialize(status)), stopping);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, stopping);
        }
        catch (Exception e) when (e is IOException or WebSocketException or OperationCanceledException)
        {
            invocation.ClientLeft = true;
        }

        // The client need not answer the close (KubernetesClient's demuxer does not): the connection
        // ends when this request does, after everything sent has been flushed, and that ends the
        // receiving loop, which never throws.
    }

    /// <summary>Ends the session at once with a failure status, as when the command could not be started.</summary>
    public async Task FailAsync(JsonObject status, CancellationToken stopping)
    {
        try
        {
            await SendAsync(StatusChannel, Encoding.UTF8.GetBytes(JsonResponse.Serialize(status)), stopping);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, stopping);
        }
        catch (Exception e) when (e is IOException or WebSocketException or OperationCanceledException)
        {
            // The client is gone already: there is nobody to tell.
        }
    }

    /// <summary>apimachinery's NewInternalError: code 500, reason InternalError, the error as its only cause.</summary>
    public static JsonObject InternalError(string error) => new()
    {
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = $"Internal error occurred: {error}",
        ["reason"] = "InternalError",
        ["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = error }) },
        ["code"] = 500,
    };

    /// <summary>Sends one frame: the channel byte, then the data. Frames never interleave.</summary>
    public async Task SendAsync(byte channel, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = channel;
        data.CopyTo(frame.AsMemory(1));
        await sending.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            throw new IOException("the exec client went away", e);
        }
        finally
        {
            sending.Release();
        }
    }

    private static JsonObject Success() => new() { ["metadata"] = new JsonObject(), ["status"] = "Success" };

    /// <summary>The status the kubelet sends for a command that exited with a non-zero code.</summary>
    private static JsonObject NonZeroExit(IReadOnlyList<string> command, int exitCode) => new()
    {
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = $"command terminated with non-zero exit code: error executing command [{string.Join(' ', command)}], exit code {exitCode}",
        ["reason"] = "NonZeroExitCode",
        ["details"] = new JsonObject
        {
            ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
        },
    };

    /// <summary>Reads the client's frames: stdin data, v5 channel closes, and the end of the connection.</summary>
    private async Task ReceiveAsync(bool stdinWanted)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int? channel = null;
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var data = buffer.AsMemory(0, result.Count);
                if (channel is null && data.Length > 0)
                {
                    channel = data.Span[0];
                    data = data[1..];
                    if (channel == CloseChannel && supportsClose && data.Length > 0 && data.Span[0] == StdinChannel)
                    {
                        await stdin.Writer.CompleteAsync();
                    }
                }

                if (channel == StdinChannel && stdinWanted && data.Length > 0)
                {
                    await stdin.Writer.WriteAsync(data);
                }

                if (result.EndOfMessage)
                {
                    channel = null;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The connection dropped: the same as a close for the command.
        }
        finally
        {
            await stdin.Writer.CompleteAsync();
            try
            {
                await clientGone.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // The exec was over before the connection ended: nobody is listening any more.
            }
        }
    }

    public void Dispose()
    {
        clientGone.Dispose();
        sending.Dispose();
    }
}
