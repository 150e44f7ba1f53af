using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// <c>{GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS} /api/v1/namespaces/{ns}/pods/{name}/proxy[/{path}]</c>: the API
/// server's proxy to a pod, with what stands behind the pod's IP played by a handler the test registers.
/// Where the pod is comes from k8s.io/kubernetes pkg/registry/core/pod/strategy.go ResourceLocation: the name is
/// <c>name</c>, <c>name:port</c> or <c>scheme:name:port</c> (apimachinery pkg/util/net/port_split.go
/// SplitSchemeNamePort; otherwise 400 <c>invalid pod request</c>), the pod is looked up by the bare name (404),
/// the port defaults to the first container port, and <c>status.podIPs[0]</c> must be a global unicast IP
/// (400 <c>address not allowed</c>). A failed dial is apimachinery pkg/util/proxy/transport.go's 503
/// <c>error trying to reach service: ...</c> with Go's dial error: a pod that is not Running, a port that is
/// not a number (Go looks it up as a service name), or a handler that answers null (nothing listens) give
/// <c>connect: connection refused</c>. An answer is passed on as it is. A pod whose containers run real programs
/// (<see cref="FakeKubernetesApi.RunImage"/>) is reached over HTTP instead, see <see cref="ForwardAsync"/>.
/// </summary>
internal sealed class PodProxyEndpoint(ObjectStore store, Kubelet kubelet, Func<Func<PodProxyRequest, Task<PodProxyResponse?>>?> handler)
{
    /// <summary>Hop-by-hop headers, which Go's httputil.ReverseProxy drops both ways (reverseproxy.go hopHeaders).</summary>
    private static readonly string[] HopHeaders = ["Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"];

    /// <summary>apimachinery pkg/util/proxy/upgradeaware.go removeCORSHeaders: taken off every proxied answer.</summary>
    private static readonly string[] CorsHeaders = ["Access-Control-Allow-Credentials", "Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin"];

    private static readonly HttpClient Upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    public async Task HandleAsync(HttpContext context, string @namespace, string id, string remainder, string? body)
    {
        if (!Methods.Contains(context.Request.Method))
        {
            throw ApiStatusException.MethodNotAllowed(context.Request.Method);
        }

        var (scheme, name, port) = Split(id) ?? throw ApiStatusException.BadRequest($"invalid pod request {ApiStatusException.GoQuote(id)}");
        var pod = store.Get(ObjectKey.Of(ResourceType.Pods, @namespace, name)) ?? throw ApiStatusException.NotFound(ResourceType.Pods, name);
        port ??= FirstContainerPort(pod) ?? "80";
        var podIP = (pod["status"]?["podIPs"] as JsonArray)?.FirstOrDefault()?["ip"]?.GetValue<string>() ?? "";
        if (!IPAddress.TryParse(podIP, out var address) || !IsGlobalUnicast(address))
        {
            throw ApiStatusException.BadRequest("address not allowed");
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            throw ApiStatusException.ServiceUnavailable($"error trying to reach service: dial tcp: lookup tcp/{port}: unknown port");
        }

        var refused = ApiStatusException.ServiceUnavailable($"error trying to reach service: dial tcp {podIP}:{port}: connect: connection refused");
        var path = remainder.Length > 0 ? remainder : context.Request.Query["path"].FirstOrDefault() ?? "";
        if (JsonFields.Text(pod, "status", "phase") == "Running" && kubelet.RuntimeOf(JsonFields.Text(pod, "metadata", "uid") ?? "") is { } runtime)
        {
            List<RunningContainer> programs;
            lock (runtime.Gate)
            {
                programs = [.. runtime.Running.Values.Where(c => c.Process is not null)];
            }

            if (programs.Count > 0)
            {
                var target = programs.Select(c => c.Process is { HasExited: false } ? c.HostPort(number) : null).FirstOrDefault(p => p is not null) ?? throw refused;
                await ForwardAsync(context, target, path.StartsWith('/') ? path : "/" + path, body, refused);
                return;
            }
        }

        if (JsonFields.Text(pod, "status", "phase") != "Running" || handler() is not { } serve)
        {
            throw refused;
        }

        var answer = await serve(new PodProxyRequest
        {
            Namespace = @namespace,
            Pod = name,
            PodObject = pod,
            PodIP = podIP,
            Scheme = scheme,
            Port = number,
            Method = context.Request.Method,
            Path = path.StartsWith('/') ? path : "/" + path,
            Query = context.Request.QueryString.Value ?? "",
            Body = body ?? "",
            CancellationToken = context.RequestAborted,
        }) ?? throw refused;

        context.Response.StatusCode = answer.StatusCode;
        context.Response.ContentType = answer.ContentType;
        foreach (var (header, value) in answer.Headers)
        {
            context.Response.Headers[header] = value;
        }

        if (context.Request.Method != "HEAD")
        {
            await context.Response.WriteAsync(answer.Body, context.RequestAborted);
        }
    }

    /// <summary>
    /// The API server's proxy to a program in the pod (apimachinery pkg/util/proxy/upgradeaware.go
    /// UpgradeAwareHandler.ServeHTTP over Go's httputil.ReverseProxy, transport.go Transport.RoundTrip): method,
    /// path, query, body and headers go on, but hop-by-hop headers and the bearer token (apiserver
    /// filters/authentication.go WithAuthentication deletes Authorization once authenticated); the Host header
    /// stays the one the client sent the API server (the pod proxy leaves UseLocationHost false, and
    /// NewSingleHostReverseProxy does not rewrite Host); X-Forwarded-For gets the client's address appended
    /// (ReverseProxy), X-Forwarded-Uri the request's path (Transport; X-Forwarded-Host and -Proto are set only
    /// from an absolute request URL, which a server request has not). The answer comes back unchanged but for
    /// hop-by-hop and CORS headers. A refused connection is the 503 a dial failure gives.
    /// </summary>
    private static async Task ForwardAsync(HttpContext context, int hostPort, string path, string? body, ApiStatusException refused)
    {
        var incoming = context.Request;
        using var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri($"http://127.0.0.1:{hostPort.ToString(CultureInfo.InvariantCulture)}{path}{incoming.QueryString.Value}"));
        if (body is { Length: > 0 })
        {
            request.Content = new StringContent(body);
            request.Content.Headers.Clear();
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (HopHeaders.Contains(name, StringComparer.OrdinalIgnoreCase) || name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = values.ToString();
            }
            else if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values) && request.Content is not null)
            {
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        var client = context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1";
        var prior = incoming.Headers["X-Forwarded-For"].ToString();
        request.Headers.Remove("X-Forwarded-For");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", prior.Length > 0 ? $"{prior}, {client}" : client);
        request.Headers.Remove("X-Forwarded-Uri");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Uri", incoming.Path.Value);

        HttpResponseMessage response;
        try
        {
            response = await Upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException)
        {
            throw refused;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopHeaders.Contains(name, StringComparer.OrdinalIgnoreCase) && !CorsHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            if (incoming.Method != "HEAD")
            {
                await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
            }
        }
    }

    /// <summary>SplitSchemeNamePort: one, two or three colon-separated parts, a name, and a scheme of http, https or none.</summary>
    private static (string Scheme, string Name, string? Port)? Split(string id)
    {
        var parts = id.Split(':');
        var (scheme, name, port) = parts.Length switch
        {
            1 => ("", parts[0], null),
            2 => ("", parts[0], parts[1]),
            3 => (parts[0], parts[1], parts[2]),
            _ => ("", "", (string?)null),
        };
        return name.Length > 0 && scheme is "" or "http" or "https" ? (scheme, name, port is { Length: > 0 } ? port : null) : null;
    }

    private static string? FirstContainerPort(JsonObject pod) =>
        (pod["spec"]?["containers"] as JsonArray ?? [])
            .SelectMany(c => c?["ports"] as JsonArray ?? [])
            .Select(p => p?["containerPort"]?.GetValue<int>())
            .FirstOrDefault(p => p > 0)?.ToString(CultureInfo.InvariantCulture);

    /// <summary>Go's net.IP.IsGlobalUnicast: not unspecified, loopback, multicast, link-local or broadcast.</summary>
    private static bool IsGlobalUnicast(IPAddress address) =>
        address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
        && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.Broadcast)
        && !IPAddress.IsLoopback(address) && !address.IsIPv6Multicast && !address.IsIPv6LinkLocal
        && !(address.AddressFamily == AddressFamily.InterNetwork && (address.GetAddressBytes()[0] >= 224 || (address.GetAddressBytes()[0] == 169 && address.GetAddressBytes()[1] == 254)));
}
