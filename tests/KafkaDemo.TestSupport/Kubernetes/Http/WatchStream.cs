using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Http;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A watch response: newline-delimited <c>{"type":...,"object":...}</c> events over a chunked
/// response, flushed one by one, until the client goes away, <c>timeoutSeconds</c> pass or the
/// server stops. With selectors, an object that starts matching arrives as ADDED and one that stops
/// matching as DELETED, as the real server does.
/// </summary>
internal static class WatchStream
{
    public static async Task ServeAsync(
        HttpContext context, ObjectStore store, ResourceKind kind, string? @namespace, Selectors selectors,
        string? resourceVersion, TimeSpan? timeout, CancellationToken stopping)
    {
        long? after = resourceVersion is null or "" or "0" ? null
            : long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
            : throw ApiStatusException.BadRequest($"resourceVersion: Invalid value: \"{resourceVersion}\": must be a resource version this server gave out");

        WatchHub.Subscription subscription;
        try
        {
            subscription = store.Watch(kind.Type.Group, kind.Type.Plural, @namespace, after);
        }
        catch (ApiStatusException expired) when (expired.Code == HttpStatusCode.Gone)
        {
            // The real server starts the watch and sends the error as its only event.
            await StartAsync(context);
            await WriteLineAsync(context, "ERROR", expired.ToStatus(), context.RequestAborted);
            return;
        }

        using (subscription)
        {
            using var end = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            if (timeout is { } limit)
            {
                end.CancelAfter(limit);
            }

            await StartAsync(context);
            try
            {
                await foreach (var change in subscription.Events.Reader.ReadAllAsync(end.Token))
                {
                    if (Translate(change, selectors) is { } found)
                    {
                        await WriteLineAsync(context, found.Type, JsonResponse.Present(found.Object, kind), end.Token);
                    }
                }
            }
            catch (OperationCanceledException) when (end.IsCancellationRequested)
            {
                // The watch ends: the client left, its timeout passed, or the server stops.
            }
        }
    }

    private static async Task StartAsync(HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);

        // Headers go out now, as the real server sends them: clients such as client-go wait for them
        // before they read events (StartAsync alone leaves them buffered).
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static (string Type, JsonObject Object)? Translate(StoredEvent change, Selectors selectors)
    {
        var item = change.ParseObject();
        var matchesNow = selectors.Matches(item);
        switch (change.Type)
        {
            case WatchEventType.Added:
                return matchesNow ? ("ADDED", item) : null;
            case WatchEventType.Deleted:
                return matchesNow ? ("DELETED", item) : null;
            default:
                var previous = change.ParsePrevious();
                var matchedBefore = previous is not null && selectors.Matches(previous);
                if (matchesNow)
                {
                    return (matchedBefore ? "MODIFIED" : "ADDED", item);
                }

                if (!matchedBefore)
                {
                    return null;
                }

                var last = previous!;
                JsonFields.Metadata(last)["resourceVersion"] = change.ResourceVersion.ToString(CultureInfo.InvariantCulture);
                return ("DELETED", last);
        }
    }

    private static async Task WriteLineAsync(HttpContext context, string type, JsonObject item, CancellationToken cancellationToken)
    {
        var line = JsonResponse.Serialize(new JsonObject { ["type"] = type, ["object"] = item }) + "\n";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }
}
