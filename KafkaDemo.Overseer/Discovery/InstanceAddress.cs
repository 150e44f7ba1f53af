using System.Net.Http.Headers;
using k8s;
using KafkaDemo.Overseer.KubernetesApi;
using KafkaDemo.ServiceHosting.ControlAccess;

namespace KafkaDemo.Overseer.Discovery;

/// <summary>
/// Where an instance answers, and the HTTP client that reaches it: a base URL over plain HTTP, or a
/// pod through the Kubernetes API server's pod proxy with the Overseer's own Kubernetes credentials.
/// The fleet's calls go through <see cref="SendAsync"/> and never ask which.
/// </summary>
public abstract record InstanceAddress
{
    /// <summary>What the page, the API and the events show.</summary>
    public abstract string Display { get; }

    /// <summary>Sends one request to the instance.</summary>
    /// <param name="plain">The client for plain HTTP (the fleet's own, without retries).</param>
    /// <param name="pathAndQuery">Such as <c>/api/histograms?after=0</c>.</param>
    /// <param name="controlToken">The control token for a change, or null.</param>
    public abstract Task<HttpResponseMessage> SendAsync(
        HttpClient plain, HttpMethod method, string pathAndQuery, HttpContent? content, string? controlToken, CancellationToken cancellationToken);

    public static InstanceAddress Url(string baseUrl) => new UrlAddress(new Uri(baseUrl, UriKind.Absolute));

    public sealed override string ToString() => Display;
}

/// <summary>An instance at a base URL: a configured one, or a pod's IP and port from inside the cluster.</summary>
public sealed record UrlAddress(Uri BaseUrl) : InstanceAddress
{
    public override string Display => BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');

    public override async Task<HttpResponseMessage> SendAsync(
        HttpClient plain, HttpMethod method, string pathAndQuery, HttpContent? content, string? controlToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plain);
        using var request = new HttpRequestMessage(method, new Uri(BaseUrl, pathAndQuery)) { Content = content };
        if (controlToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", controlToken);
        }

        return await plain.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// A pod reached through the API server: <c>/api/v1/namespaces/{ns}/pods/{pod}:{port}/proxy/{path}</c>,
/// sent with KubernetesClient's own pipeline (its HttpClient, which holds the TLS trust and any client
/// certificate, and its credentials for the bearer token), to the cluster of the kubeconfig as it is now.
/// RBAC: <c>get</c> on <c>pods/proxy</c> for a GET and <c>update</c> for a PUT (k8s.io/apiserver v0.32.13
/// pkg/endpoints/request/requestinfo.go: the verb is the method's, PUT is update).
/// </summary>
public sealed record PodProxyAddress(ClusterConnection Cluster, string Namespace, string Pod, int Port) : InstanceAddress
{
    public override string Display => FormattableString.Invariant($"pod {Namespace}/{Pod}:{Port} (API server proxy)");

    /// <summary>The path under the API server, without a leading '/'.</summary>
    public string ProxyPath(string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        return FormattableString.Invariant($"api/v1/namespaces/{Namespace}/pods/{Pod}:{Port}/proxy/{pathAndQuery.TrimStart('/')}");
    }

    public override async Task<HttpResponseMessage> SendAsync(
        HttpClient plain, HttpMethod method, string pathAndQuery, HttpContent? content, string? controlToken, CancellationToken cancellationToken)
    {
        if (Cluster.Client is not Kubernetes client)
        {
            throw new HttpRequestException($"No Kubernetes connection to reach {Display} through (Overseer:Cluster:Kubeconfig).");
        }

        // A base URI with a path (a cluster behind a gateway) must end in '/' to keep it when the path is joined.
        var root = new Uri(client.BaseUri.AbsoluteUri.TrimEnd('/') + "/");
        using var request = new HttpRequestMessage(method, new Uri(root, ProxyPath(pathAndQuery))) { Content = content };
        if (controlToken is not null)
        {
            // Never in Authorization: that is the Overseer's Kubernetes credential, which the API server
            // consumes and removes (ControlTokenCheck.Header); the token is for the pod only.
            request.Headers.TryAddWithoutValidation(ControlTokenCheck.Header, controlToken);
        }

        // KubernetesClient sets the credential per request (kubernetes-client/csharp master 60fe2b9
        // Kubernetes.cs SendRequestRaw calls Credentials.ProcessHttpRequestAsync; read there, not in the
        // 21.0.8 DLL); a client certificate is in its HttpClient's handler. Not carried over: a
        // kubeconfig's tls-server-name, which SendRequestRaw sets as Host from a private property.
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        return await client.HttpClient.SendAsync(request, cancellationToken);
    }
}
