using System.Net;
using System.Net.Sockets;

namespace KafkaDemo.AppHost.K3d;

/// <summary>Whether a host port can still be bound on loopback (k3d maps the Kafka ports there).</summary>
public static class HostPorts
{
    /// <summary>The first port of <paramref name="ports"/> that something else already listens on, or null.</summary>
    public static int? FirstInUse(IEnumerable<int> ports) => ports.Cast<int?>().FirstOrDefault(p => !IsFree(p!.Value));

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
