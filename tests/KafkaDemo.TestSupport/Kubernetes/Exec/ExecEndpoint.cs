using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// <c>GET|POST /api/v1/namespaces/{ns}/pods/{name}/exec</c>: checks what the API server checks (the
/// pod exists and has not completed, the container is valid, a command and at least one stream are
/// asked for, the request is a WebSocket upgrade with a protocol the fake speaks), then runs the
/// command through the registered handler.
/// </summary>
internal sealed class ExecEndpoint(ObjectStore store, Func<Func<ExecContext, Task<int>>?> handler, ConcurrentQueue<ExecInvocation> log)
{
    public async Task HandleAsync(HttpContext context, string @namespace, string podName, CancellationToken stopping)
    {
        var query = context.Request.Query;
        var command = query["command"].Select(c => c ?? "").ToArray();
        var (stdin, stdout, stderr, tty) = (Flag(query, "stdin"), Flag(query, "stdout"), Flag(query, "stderr"), Flag(query, "tty"));
        if (command.Length == 0)
        {
            throw ApiStatusException.BadRequest("you must specify at least one command for the container");
        }

        if (!stdin && !stdout && !stderr)
        {
            throw ApiStatusException.BadRequest("you must specify at least one of stdin, stdout, stderr");
        }

        var pod = store.Get(ObjectKey.Of(ResourceType.Pods, @namespace, podName)) ?? throw ApiStatusException.NotFound(ResourceType.Pods, podName);
        var container = ContainerFor(pod, podName, query["container"].FirstOrDefault());
        var phase = JsonFields.Text(pod, "status", "phase");
        if (phase is "Succeeded" or "Failed")
        {
            throw ApiStatusException.BadRequest($"cannot exec into a container in a completed pod; current phase is {phase}");
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw ApiStatusException.BadRequest("Upgrade request required");
        }

        var protocol = ExecWebSocketSession.Negotiate(context.WebSockets.WebSocketRequestedProtocols)
            ?? throw ApiStatusException.BadRequest(
                $"none of the offered WebSocket subprotocols ({string.Join(", ", context.WebSockets.WebSocketRequestedProtocols)}) is supported: this server speaks {ExecWebSocketSession.V5} and {ExecWebSocketSession.V4}");

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = protocol });
        var invocation = new ExecInvocation
        {
            Time = DateTimeOffset.UtcNow,
            Namespace = @namespace,
            Pod = podName,
            Container = container,
            Command = command,
            Stdin = stdin,
            Stdout = stdout,
            Stderr = stderr,
            Tty = tty,
            Protocol = protocol,
        };
        log.Enqueue(invocation);
        using var session = new ExecWebSocketSession(socket, protocol);
        try
        {
            await session.RunAsync(invocation, handler(), stopping);
        }
        finally
        {
            invocation.Complete();
        }
    }

    /// <summary>The named container, or the only one; like the API server, a pod with several needs a name.</summary>
    private static string ContainerFor(JsonObject pod, string podName, string? requested)
    {
        var containers = (pod["spec"]?["containers"] as JsonArray ?? [])
            .Select(c => JsonFields.Text(c, "name"))
            .OfType<string>()
            .ToArray();
        if (string.IsNullOrEmpty(requested))
        {
            return containers.Length switch
            {
                0 => "",
                1 => containers[0],
                _ => throw ApiStatusException.BadRequest($"a container name must be specified for pod {podName}, choose one of: [{string.Join(' ', containers)}]"),
            };
        }

        return containers.Length == 0 || containers.Contains(requested)
            ? requested
            : throw ApiStatusException.BadRequest($"container {requested} is not valid for pod {podName}");
    }

    /// <summary>A boolean query parameter as Go's strconv.ParseBool reads it.</summary>
    private static bool Flag(IQueryCollection query, string name) =>
        query[name].FirstOrDefault() is "1" or "t" or "T" or "true" or "TRUE" or "True";
}
