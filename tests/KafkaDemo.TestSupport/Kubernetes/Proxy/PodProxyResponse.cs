namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// What the process in the pod answers; the API server passes status, headers and body on unchanged
/// (k8s.io/apimachinery pkg/util/proxy: only text/html would have its links rewritten, which the fake does not do).
/// </summary>
public sealed class PodProxyResponse
{
    public int StatusCode { get; init; } = 200;

    public string ContentType { get; init; } = "text/plain; charset=utf-8";

    public string Body { get; init; } = "";

    /// <summary>Further response headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Prometheus' text exposition format, as a JMX or node exporter serves /metrics.</summary>
    public static PodProxyResponse Prometheus(string text) => new() { ContentType = "text/plain; version=0.0.4; charset=utf-8", Body = text };
}
