using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A request the API server proxies to a pod (<c>/api/v1/namespaces/{ns}/pods/{name}[:{port}]/proxy/{path}</c>),
/// as the process listening in the pod would receive it.
/// </summary>
public sealed class PodProxyRequest
{
    public required string Namespace { get; init; }

    /// <summary>The pod's name, without scheme or port.</summary>
    public required string Pod { get; init; }

    /// <summary>The pod as stored when the request came.</summary>
    public required JsonObject PodObject { get; init; }

    /// <summary>The pod's IP (<c>status.podIPs[0].ip</c>), which the API server dials.</summary>
    public required string PodIP { get; init; }

    /// <summary>"http" or "https", from a <c>scheme:name:port</c> name; "" when not given (http).</summary>
    public required string Scheme { get; init; }

    /// <summary>The port dialled: the one in the name, else the first container port the pod declares, else 80.</summary>
    public required int Port { get; init; }

    public required string Method { get; init; }

    /// <summary>The path after <c>/proxy</c>, such as <c>/metrics</c> (<c>/</c> when there is none).</summary>
    public required string Path { get; init; }

    /// <summary>The raw query string passed on, with its leading <c>?</c> (empty if none).</summary>
    public required string Query { get; init; }

    /// <summary>The request body as text (empty for none).</summary>
    public required string Body { get; init; }

    public required CancellationToken CancellationToken { get; init; }
}
