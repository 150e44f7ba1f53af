using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// Every request's way through the fake: recorded, delayed or failed by any matching fault rule,
/// authenticated (401) and authorized (403), then answered by discovery, the resource verbs or exec. Errors become <c>v1.Status</c> answers;
/// an unexpected exception (a bug in the fake) is answered with 500 and kept for the test to see.
/// </summary>
internal sealed class ApiRouter(
    KindRegistry kinds,
    ResourceEndpoints resources,
    TokenRegistry tokens,
    RbacAuthorizer authorizer,
    ConcurrentQueue<RecordedRequest> requests,
    Func<IReadOnlyList<FaultRule>> faults,
    ConcurrentQueue<Exception> unexpected,
    Func<string> serverAddress,
    TimeProvider time,
    CancellationToken stopping)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = await RecordAsync(context);
        context.Response.OnStarting(() =>
        {
            // apimachinery pkg/util/net/http.go NewWarningHeader: 299, agent "-", the text quoted with \ and " escaped.
            foreach (var warning in request.Warnings)
            {
                var text = new string([.. warning.Select(c => c is < ' ' or > '~' ? '?' : c)]);
                context.Response.Headers.Append("Warning", $"299 - \"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
            }

            return Task.CompletedTask;
        });
        try
        {
            foreach (var fault in faults().Where(f => f.TryUse(request)))
            {
                if (fault.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(fault.Delay, context.RequestAborted);
                }

                if (fault.Status is { } status)
                {
                    throw ApiStatusException.Injected(status, fault.Message);
                }
            }

            // k8s.io/apiserver pkg/endpoints/filters/authentication.go WithAuthentication: a request whose
            // token no authenticator accepts gets 401 (k3s runs the apiserver without anonymous auth).
            if (request.Identity is not { } user)
            {
                throw ApiStatusException.Unauthorized();
            }

            // Then WithAuthorization, before anything is routed: a refused request learns nothing else.
            var path = context.Request.Path.Value ?? "/";
            var attributes = RequestAttributes.From(user, context.Request.Method, path, context.Request.Query);
            authorizer.Require(attributes);

            if (path.StartsWith("/openapi/", StringComparison.Ordinal))
            {
                await JsonResponse.WriteAsync(context, 200, OpenApiDocuments.For(path, kinds.All) ?? throw ApiStatusException.UnknownResource());
                return;
            }

            if (context.Request.Method == "GET" && DiscoveryDocuments.For(path, kinds.All, serverAddress()) is { } document)
            {
                await JsonResponse.WriteAsync(context, 200, document);
                return;
            }

            var target = ResourcePath.Parse(path) ?? throw ApiStatusException.UnknownResource();
            await resources.HandleAsync(context, target, request, attributes, stopping);
        }
        catch (ApiStatusException error) when (!context.Response.HasStarted)
        {
            await JsonResponse.WriteStatusAsync(context, error);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || stopping.IsCancellationRequested)
        {
            // The client went away or the fake stops: nobody is waiting for an answer.
        }
        catch (Exception error) when (error is not ApiStatusException)
        {
            unexpected.Enqueue(error);
            if (!context.Response.HasStarted)
            {
                var status = ApiStatusException.Injected(System.Net.HttpStatusCode.InternalServerError, $"fake Kubernetes API bug: {error}");
                await JsonResponse.WriteStatusAsync(context, status);
            }
        }
        finally
        {
            request.StatusCode = context.Response.StatusCode;
        }
    }

    private async Task<RecordedRequest> RecordAsync(HttpContext context)
    {
        string? body = null;
        if (context.Request.Method is "POST" or "PUT" or "PATCH" or "DELETE" && !context.WebSockets.IsWebSocketRequest)
        {
            using var reader = new StreamReader(context.Request.Body, System.Text.Encoding.UTF8);
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var request = new RecordedRequest
        {
            Time = time.GetUtcNow(),
            Method = context.Request.Method,
            Path = context.Request.Path.Value ?? "/",
            Query = context.Request.QueryString.Value ?? "",
            ContentType = context.Request.ContentType,
            FieldManager = context.Request.Query["fieldManager"].FirstOrDefault(),
            UserAgent = context.Request.Headers.UserAgent.FirstOrDefault(),
            Identity = tokens.Authenticate(context.Request.Headers.Authorization.FirstOrDefault()),
            Body = body,
        };
        requests.Enqueue(request);
        return request;
    }
}
