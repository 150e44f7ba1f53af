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
        await context.Response.WriteAsync(Serialize(body), Encoding.UTF8, context.RequestAborted);
    }

    /// <summary>
    /// JSON as the API server writes it: Go's encoding/json escaping, which quotes <c>"</c> and <c>\</c>
    /// with a backslash and writes <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> as <c>\u003c</c>, <c>\u003e</c>
    /// and <c>\u0026</c> (HTML-safe by default); .NET's default encoder would write <c>\u0022</c> for a quote.
    /// Those three characters can only occur inside JSON strings, so replacing them afterwards is safe.
    /// </summary>
    public static string Serialize(JsonNode body) =>
        body.ToJsonString(GoLike)
            .Replace("<", "\\u003c", StringComparison.Ordinal)
            .Replace(">", "\\u003e", StringComparison.Ordinal)
            .Replace("&", "\\u0026", StringComparison.Ordinal);

    private static readonly System.Text.Json.JsonSerializerOptions GoLike = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task WriteStatusAsync(HttpContext context, ApiStatusException error) =>
        WriteAsync(context, (int)error.Code, error.ToStatus());

    /// <summary>The object as served through a version of its resource: stored once, shown with the requested apiVersion.</summary>
    public static JsonObject Present(JsonObject item, ResourceKind kind)
    {
        item["apiVersion"] = kind.Type.ApiVersion;
        return item;
    }
}
