using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace KafkaDemo.IntegrationTests;

/// <summary>An IPv4 address of this machine besides loopback: a request sent from it is not from loopback.</summary>
internal static class OutwardAddress
{
    /// <summary>The first one, or null when the machine has none (the test then skips).</summary>
    public static IPAddress? Find() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == OperationalStatus.Up)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(a => a.Address))
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}
