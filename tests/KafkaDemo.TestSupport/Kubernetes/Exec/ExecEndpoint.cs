using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// <c>GET|POST /api/v1/namespaces/{ns}/pods/{name}/exec</c>: checks what the API server checks (the
/// pod exists and has not completed, the container is valid, a command and at least one stream are
/// asked for, the request is a WebSocket upgrade with a protocol the fake speaks), then, as the
/// kubelet does, finds the running container (a container that never started is refused), and runs
/// the command through the registered handler in it.
/// </summary>
internal sealed class ExecEndpoint(ObjectStore store, Kubelet kubelet, Func<Func<ExecContext, Task<int>>?> handler, ConcurrentQueue<ExecInvocation> log)
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

        var (running, runtime, failure) = kubelet.ForExec(pod, container);
        if (failure is not null && protocol == ExecWebSocketSession.V4)
        {
            // Over v4 the API server proxies the upgrade to the kubelet, whose GetExec refuses it
            // (pkg/kubelet/kubelet_pods.go: fmt.Errorf("container not found (%q)", containerName)) and
            // answers 500 with that text (cri-streaming WriteError); the proxy passes the answer on.
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(failure, stopping);
            return;
        }

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
            if (failure is not null)
            {
                // Over v5 the API server accepts the WebSocket and translates to SPDY towards the
                // kubelet; the kubelet's refusal comes back as the SPDY upgrade error ("unable to upgrade
                // connection: %s", k8s.io/streaming spdy roundtripper NewConnection), which the
                // translator sends as an InternalError status (apiserver util/proxy streamtranslator.go).
                invocation.Failure = failure;
                await session.FailAsync(ExecWebSocketSession.InternalError($"unable to upgrade connection: {failure}"), stopping);
                return;
            }

            await session.RunAsync(invocation, new ExecTarget(pod, runtime!, running!), handler(), stopping);
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
