using System.Net;
using System.Net.Sockets;

namespace KafkaDemo.TestSupport;

/// <summary>Free loopback ports, for servers that must listen on a port chosen in advance, so a test never collides with a demo running on the defaults.</summary>
public static class FreePorts
{
    /// <summary>Where Linux hands out ports for outgoing connections unless configured otherwise.</summary>
    private const int DefaultEphemeralStart = 32_768;

    /// <summary>
    /// The first of <paramref name="count"/> consecutive free ports, below the range the system
    /// hands out to outgoing connections. A broker taken down and brought back listens on its
    /// port again; in the ephemeral range any client's connection may have taken it meanwhile.
    /// </summary>
    public static int Block(int count) => Block(count, 20_000, Math.Min(EphemeralStart(), 40_000));

    /// <summary>The first of <paramref name="count"/> consecutive free ports in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public static int Block(int count, int min, int max)
    {
        var end = Math.Min(max, EphemeralStart()) - count;
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(min, end);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free ports found.");
    }

    private static int EphemeralStart()
    {
        // "32768\t60999" on Linux; elsewhere, or if unreadable, the Linux default.
        const string Range = "/proc/sys/net/ipv4/ip_local_port_range";
        try
        {
            var first = File.Exists(Range) ? File.ReadAllText(Range).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0] : null;
            return int.TryParse(first, System.Globalization.CultureInfo.InvariantCulture, out var start) && start > 21_000 ? start : DefaultEphemeralStart;
        }
        catch (IOException)
        {
            return DefaultEphemeralStart;
        }
    }

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
