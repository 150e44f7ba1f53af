using System.Net;

namespace KafkaDemo.ServiceHosting.ControlAccess;

/// <summary>What counts as this machine only.</summary>
public static class Loopback
{
    /// <summary>The host names <c>AllowedHosts</c> lets through (against DNS rebinding): the loopback names.</summary>
    public const string AllowedHosts = "localhost;127.0.0.1;[::1]";

    /// <summary>Whether a peer address is this machine (IPv4-mapped IPv6 addresses included).</summary>
    public static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

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
