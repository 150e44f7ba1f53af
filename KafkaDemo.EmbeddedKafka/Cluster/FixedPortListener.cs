using System.Net;
using KafkaDemo.EmbeddedKafka.Native;

namespace KafkaDemo.EmbeddedKafka.Cluster;

/// <summary>
/// Moves a mock broker from the ephemeral port librdkafka bound to a fixed port, with no proxy,
/// and keeps the ephemeral port reserved while the broker does not use it.
/// </summary>
/// <remarks>
/// <para>librdkafka's mock cluster always binds its brokers to ports the kernel picks, and
/// <c>rd_kafka_mock_broker_set_host_port</c> only changes what they advertise. <see cref="Adopt"/>
/// opens a listening socket on the fixed port and installs it, with <c>dup3</c>, under the file
/// descriptor number of the broker's own listening socket. The mock cluster's poll loop then
/// accepts connections from the fixed port and serves them itself: clients talk straight to the
/// broker.</para>
/// <para>When the broker is set down, librdkafka closes that descriptor (the fixed port stops
/// answering) and binds its original ephemeral port again, asserting that this works: had any
/// other socket taken the port meanwhile, the process would abort. So while the broker is up, the
/// ephemeral port stays reserved: the broker's own socket on it is kept open and listening under
/// a descriptor of ours (nothing else can bind a port something listens on, whatever its socket
/// options), outside librdkafka's poll loop, so nothing is served there. The reservation is
/// released just before the broker is set down (<see cref="Release"/>), and librdkafka binds the
/// port again at once. While the broker is down, librdkafka's own socket holds the port.</para>
/// <para>Bringing the broker up (<see cref="Reattach"/>) opens the fixed port first: if it was
/// taken while the broker was down, that fails before anything changes, and the broker stays
/// down, listening nowhere. Otherwise the fixed-port socket replaces librdkafka's socket before
/// librdkafka starts listening again, and librdkafka's socket becomes the new reservation.</para>
/// <para>Linux only: elsewhere use port 0 (ephemeral ports).</para>
/// </remarks>
internal static class FixedPortListener
{
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>
    /// Moves the broker listening on <paramref name="ephemeralPort"/> onto <paramref name="fixedPort"/>.
    /// Returns the reservation of <paramref name="ephemeralPort"/>: pass it to <see cref="Release"/> before the broker is set down.
    /// </summary>
    /// <exception cref="IOException">The fixed port cannot be bound, or the broker's socket was not found.</exception>
    public static int Adopt(IPAddress address, int ephemeralPort, int fixedPort)
    {
        ThrowIfUnsupported();
        var own = PosixSockets.FindListener(address, ephemeralPort)
            ?? throw new IOException($"No listening socket of the mock broker was found on {address}:{ephemeralPort}.");
        return Swap(address, own, fixedPort);
    }

    /// <summary>
    /// Before a broker that is down is set up: puts a listening socket on <paramref name="fixedPort"/>
    /// in place of the socket librdkafka bound (without listening) to <paramref name="ephemeralPort"/>,
    /// which becomes the reservation.
    /// </summary>
    /// <returns>The descriptor librdkafka will listen on (now the fixed port), and the new reservation.</returns>
    /// <exception cref="IOException">The fixed port is taken (nothing was changed), or librdkafka's socket was not found.</exception>
    public static (int Listener, int Reservation) Reattach(IPAddress address, int ephemeralPort, int fixedPort)
    {
        ThrowIfUnsupported();
        var own = PosixSockets.FindBound(address, ephemeralPort)
            ?? throw new IOException($"The socket of the mock broker that is down was not found on {address}:{ephemeralPort}.");
        var reservation = Swap(address, own, fixedPort);
        PosixSockets.Listen(reservation);
        return (own, reservation);
    }

    /// <summary>Lets go of a reservation, just before librdkafka binds the port again.</summary>
    public static void Release(int reservation)
    {
        if (reservation >= 0)
        {
            PosixSockets.CloseQuietly(reservation);
        }
    }

    /// <summary>Opens the fixed port, keeps the socket under <paramref name="own"/> alive elsewhere, and puts the fixed port under <paramref name="own"/>.</summary>
    private static int Swap(IPAddress address, int own, int fixedPort)
    {
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

        int reservation;
        try
        {
            reservation = PosixSockets.Duplicate(own);
        }
        catch
        {
            PosixSockets.CloseQuietly(replacement);
            throw;
        }

        PosixSockets.ReplaceAndClose(replacement, own);
        return reservation;
    }

    private static void ThrowIfUnsupported()
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException(
                "Fixed embedded Kafka ports need Linux. Set EmbeddedKafka:Port=0 to use the ports librdkafka picks.");
        }
    }
}
