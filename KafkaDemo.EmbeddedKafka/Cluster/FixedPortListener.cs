using System.Net;
using KafkaDemo.EmbeddedKafka.Native;

namespace KafkaDemo.EmbeddedKafka.Cluster;

/// <summary>
/// Moves a mock broker from the ephemeral port librdkafka bound to a fixed port, with no proxy.
/// </summary>
/// <remarks>
/// librdkafka's mock cluster always binds its brokers to ports the kernel picks, and
/// <c>rd_kafka_mock_broker_set_host_port</c> only changes what they advertise. This opens a
/// listening socket on the fixed port and installs it, with <c>dup3</c>, under the file
/// descriptor number of the broker's own listening socket. The mock cluster's poll loop then
/// accepts connections from the fixed port and serves them itself: clients talk straight to the
/// broker. When the broker is set down, librdkafka closes that descriptor (the fixed port stops
/// answering) and binds its original ephemeral port again; after it is set up, the swap is
/// repeated. Linux only: elsewhere use port 0 (ephemeral ports).
/// </remarks>
internal static class FixedPortListener
{
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Moves the broker listening on <paramref name="ephemeralPort"/> onto <paramref name="fixedPort"/>.</summary>
    /// <exception cref="IOException">The fixed port cannot be bound, or the broker's socket was not found.</exception>
    public static void Adopt(IPAddress address, int ephemeralPort, int fixedPort)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException(
                "Fixed embedded Kafka ports need Linux. Set EmbeddedKafka:Port=0 to use the ports librdkafka picks.");
        }

        var listener = PosixSockets.FindListener(address, ephemeralPort)
            ?? throw new IOException($"No listening socket of the mock broker was found on {address}:{ephemeralPort}.");

        int replacement;
        try
        {
            replacement = PosixSockets.OpenListener(address, fixedPort);
        }
        catch (IOException ex)
        {
            throw new IOException(
                $"The embedded Kafka cannot listen on {address}:{fixedPort} ({ex.Message}). Another Kafka, or another "
                + "KafkaDemo, may be running. Stop it, or choose other ports with EmbeddedKafka:Port "
                + "(KafkaDemo:Embedded:Port in the AppHost).",
                ex);
        }

        PosixSockets.ReplaceAndClose(replacement, listener);
    }
}
