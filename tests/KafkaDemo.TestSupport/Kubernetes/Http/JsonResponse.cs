using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>Writes JSON answers the way the API server does (application/json).</summary>
internal static class JsonResponse
{
    public static async Task WriteAsync(HttpContext context, int statusCode, JsonNode body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8, context.RequestAborted);
    }

    public static Task WriteStatusAsync(HttpContext context, ApiStatusException error) =>
        WriteAsync(context, (int)error.Code, error.ToStatus());

    /// <summary>The object as served through a version of its resource: stored once, shown with the requested apiVersion.</summary>
    public static JsonObject Present(JsonObject item, ResourceKind kind)
    {
        item["apiVersion"] = kind.Type.ApiVersion;
        return item;
    }
}
