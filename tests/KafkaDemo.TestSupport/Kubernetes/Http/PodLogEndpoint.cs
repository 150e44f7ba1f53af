using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// <c>GET /api/v1/namespaces/{ns}/pods/{name}/log</c> (RBAC <c>get pods/log</c>): a container's log as the
/// API server fetches it from the kubelet. The container is chosen as kubernetes
/// pkg/registry/core/pod/strategy.go LogLocation does (400 <c>a container name must be specified for pod
/// {name}, choose one of: [a b]</c>, 400 <c>container {c} is not valid for pod {name}</c>; a pod bound to no
/// node gives an empty log). The kubelet refuses a container that never ran
/// (kubelet_pods.go validateContainerLogStatus: <c>container "c" in pod "p" is waiting to start: {reason}</c>),
/// which the API server answers as 400 with that text (apiserver pkg/registry/generic/rest/response_checker.go
/// GenericHttpResponseChecker.Check: NewBadRequest of the body). Options: <c>follow</c> (until the container
/// stops, the pod is deleted, or the client leaves), <c>timestamps</c> (RFC 3339 with nanoseconds and a space
/// before each line), <c>tailLines</c>, <c>sinceSeconds</c>; <c>previous</c> has nothing to show (no restarts)
/// and is refused as the kubelet refuses it with no terminated container. <c>limitBytes</c> and
/// <c>sinceTime</c> are not supported (400, stricter).
/// </summary>
internal sealed class PodLogEndpoint(ObjectStore store, Kubelet kubelet)
{
    public async Task HandleAsync(HttpContext context, string @namespace, string name, CancellationToken stopping)
    {
        var query = context.Request.Query;
        var pod = store.Get(ObjectKey.Of(ResourceType.Pods, @namespace, name)) ?? throw ApiStatusException.NotFound(ResourceType.Pods, name);
        var names = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().Select(c => JsonFields.Text(c, "name") ?? "").ToList();
        var container = query["container"].FirstOrDefault() ?? "";
        if (container.Length == 0)
        {
            container = names.Count switch
            {
                1 => names[0],
                0 => throw ApiStatusException.BadRequest($"a container name must be specified for pod {name}"),
                _ => throw ApiStatusException.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', names)}]"),
            };
        }
        else if (!names.Contains(container))
        {
            throw ApiStatusException.BadRequest($"container {container} is not valid for pod {name}");
        }

        foreach (var unsupported in new[] { "limitBytes", "sinceTime" })
        {
            if (query[unsupported].Count > 0)
            {
                throw ApiStatusException.BadRequest($"the fake Kubernetes API does not support {unsupported} on pods/log");
            }
        }

        var follow = Flag(query["follow"].FirstOrDefault());
        var timestamps = Flag(query["timestamps"].FirstOrDefault());
        var tail = Number(query["tailLines"].FirstOrDefault(), "tailLines");
        var since = Number(query["sinceSeconds"].FirstOrDefault(), "sinceSeconds");
        if (since is <= 0)
        {
            throw ApiStatusException.Invalid("PodLogOptions", name, "sinceSeconds", $"Invalid value: {since}: must be greater than 0");
        }

        if (string.IsNullOrEmpty(JsonFields.Text(pod, "spec", "nodeName")))
        {
            // LogLocation: no host assigned, no location: the answer is empty.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/plain";
            return;
        }

        var uid = JsonFields.Text(pod, "metadata", "uid") ?? "";
        var runtime = kubelet.RuntimeOf(uid);
        RunningContainer? running = null;
        string? waitingReason = null;
        if (runtime is not null)
        {
            lock (runtime.Gate)
            {
                running = runtime.Running.GetValueOrDefault(container);
                waitingReason = runtime.Waiting.GetValueOrDefault(container)?.Reason;
            }
        }

        if (Flag(query["previous"].FirstOrDefault()))
        {
            // validateContainerLogStatus: no last terminated state, nothing to show.
            throw ApiStatusException.BadRequest($"previous terminated container \"{container}\" in pod \"{name}\" not found");
        }

        if (running is null)
        {
            var reason = waitingReason ?? WaitingReason(pod, container);
            throw ApiStatusException.BadRequest($"container \"{container}\" in pod \"{name}\" is waiting to start: {reason}");
        }

        var (lines, later) = running.Log.Read(follow);
        var threshold = since is { } seconds ? store.Now - TimeSpan.FromSeconds(seconds) : (DateTimeOffset?)null;
        var shown = lines.Where(l => threshold is null || l.Time >= threshold).ToList();
        if (tail is { } count)
        {
            shown = shown.Skip(Math.Max(shown.Count - (int)Math.Min(count, int.MaxValue), 0)).ToList();
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        try
        {
            foreach (var line in shown)
            {
                await WriteAsync(context, line, timestamps);
            }

            await context.Response.Body.FlushAsync(context.RequestAborted);
            if (later is null)
            {
                return;
            }

            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            while (await later.WaitToReadAsync(ended.Token))
            {
                while (later.TryRead(out var line))
                {
                    await WriteAsync(context, line, timestamps);
                }

                await context.Response.Body.FlushAsync(ended.Token);
            }
        }
        finally
        {
            if (later is not null)
            {
                running.Log.Unfollow(later);
            }
        }
    }

    /// <summary>The waiting reason the pod's status gives the container, else ContainerCreating.</summary>
    private static string WaitingReason(JsonObject pod, string container) =>
        (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(s => JsonFields.Text(s, "name") == container)
            .Select(s => JsonFields.Text(s, "state", "waiting", "reason"))
            .FirstOrDefault(r => r is not null) ?? ContainerStartFailure.ContainerCreating;

    /// <summary>
    /// A line as the kubelet's log reader writes it: with <c>timestamps</c>, the time and a space first, in
    /// kuberuntime/logs/logs.go's timeFormatOut (types.RFC3339NanoFixed: always nine fraction digits, UTC "Z").
    /// </summary>
    private static async Task WriteAsync(HttpContext context, LogLine line, bool timestamps)
    {
        var text = timestamps
            ? $"{line.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture)}00Z {line.Text}\n"
            : line.Text + "\n";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), context.RequestAborted);
    }

    /// <summary>Query booleans as the API server's parameter codec reads them (strconv.ParseBool).</summary>
    private static bool Flag(string? value) => value switch
    {
        null or "" or "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        _ => throw ApiStatusException.BadRequest($"strconv.ParseBool: parsing {ApiStatusException.GoQuote(value)}: invalid syntax"),
    };

    private static long? Number(string? value, string name) =>
        value is null ? null
        : long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number
        : throw ApiStatusException.BadRequest($"{name}: strconv.ParseInt: parsing {ApiStatusException.GoQuote(value)}: invalid syntax");
}
