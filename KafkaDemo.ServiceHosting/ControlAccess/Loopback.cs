using System.Net;
using Microsoft.AspNetCore.Http;

namespace KafkaDemo.ServiceHosting.ControlAccess;

/// <summary>What counts as this machine only.</summary>
public static class Loopback
{
    /// <summary>The host names <c>AllowedHosts</c> lets through (against DNS rebinding): the loopback names.</summary>
    public const string AllowedHosts = "localhost;127.0.0.1;[::1]";

    /// <summary>Whether a peer address is this machine (IPv4-mapped IPv6 addresses included).</summary>
    public static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>
    /// Whether a request comes from this machine: a loopback peer that does not say it relays another
    /// client's request. A reverse proxy on this machine connects from loopback, so the peer address
    /// alone would pass anyone it serves off as local. The Kubernetes API server's pod proxy is one:
    /// k8s.io/apimachinery v0.32.13 pkg/util/proxy/upgradeaware.go UpgradeAwareHandler.ServeHTTP hands
    /// the request to Go's httputil.NewSingleHostReverseProxy, which sets X-Forwarded-For to the
    /// caller's address (and tryUpgrade appends it itself, utilnet.AppendForwardedForHeader).
    /// </summary>
    public static bool IsFromThisMachine(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Request.Headers;
        return IsLoopback(context.Connection.RemoteIpAddress)
            && !headers.ContainsKey("X-Forwarded-For")
            && !headers.ContainsKey("Forwarded");
    }

    /// <summary>Whether a server address (<c>http://127.0.0.1:5101</c>, <c>http://localhost:5101</c>) listens on loopback only.</summary>
    public static bool IsLoopbackUrl(string address)
    {
        if (!Uri.TryCreate(address.Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IsLoopback(ip));
    }
}
