using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;

namespace KafkaDemo.EmbeddedKafka.Native;

/// <summary>The few Linux socket calls needed to move a mock broker onto a fixed port and keep its own port reserved (see <c>FixedPortListener</c>).</summary>
internal static unsafe partial class PosixSockets
{
    private const int AfInet = 2;
    private const int SockStream = 1;
    private const int SockCloexec = 0x80000;
    private const int OCloexec = 0x80000;
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;
    private const int SoAcceptConn = 30;
    private const int Backlog = 128;

    [StructLayout(LayoutKind.Sequential)]
    private struct SockAddrIn
    {
        public ushort Family;
        public ushort PortBigEndian;
        public uint AddressNetworkOrder;
        public ulong Zero;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int fd, int level, int name, int* value, uint length);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int GetSockOpt(int fd, int level, int name, int* value, uint* length);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int Bind(int fd, SockAddrIn* address, uint length);

    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    private static partial int Listen(int fd, int backlog);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    private static partial int GetSockName(int fd, SockAddrIn* address, uint* length);

    [LibraryImport("libc", EntryPoint = "dup3", SetLastError = true)]
    private static partial int Dup3(int oldFd, int newFd, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    private const int FDupFdCloexec = 1030;

    /// <summary>A second descriptor for the same socket, so that it stays open when <paramref name="fd"/> is closed or reused.</summary>
    public static int Duplicate(int fd)
    {
        var copy = Fcntl(fd, FDupFdCloexec, 0);
        return copy >= 0 ? copy : throw Error("fcntl(F_DUPFD_CLOEXEC)");
    }

    /// <summary>Makes a socket listen, or sets the backlog of one that does.</summary>
    public static void Listen(int fd)
    {
        if (Listen(fd, Backlog) != 0)
        {
            throw Error("listen()");
        }
    }

    /// <summary>Opens a listening IPv4 TCP socket on <paramref name="address"/>:<paramref name="port"/>.</summary>
    /// <exception cref="IOException">The port cannot be bound (for example, it is in use).</exception>
    public static int OpenListener(IPAddress address, int port)
    {
        var fd = Socket(AfInet, SockStream | SockCloexec, 0);
        if (fd < 0)
        {
            throw Error("socket()");
        }

        try
        {
            var one = 1;
            if (SetSockOpt(fd, SolSocket, SoReuseAddr, &one, sizeof(int)) != 0)
            {
                throw Error("setsockopt(SO_REUSEADDR)");
            }

            var sin = ToSockAddr(address, port);
            if (Bind(fd, &sin, (uint)sizeof(SockAddrIn)) != 0)
            {
                throw Error($"bind({address}:{port})");
            }

            if (Listen(fd, Backlog) != 0)
            {
                throw Error("listen()");
            }

            return fd;
        }
        catch
        {
            _ = Close(fd);
            throw;
        }
    }

    /// <summary>Finds this process's listening socket bound to <paramref name="address"/>:<paramref name="port"/>.</summary>
    public static int? FindListener(IPAddress address, int port) => Find(address, port, listening: true);

    /// <summary>Finds this process's socket bound to <paramref name="address"/>:<paramref name="port"/> that is not listening.</summary>
    public static int? FindBound(IPAddress address, int port) => Find(address, port, listening: false);

    private static int? Find(IPAddress address, int port, bool listening)
    {
        var wanted = ToSockAddr(address, port);
        foreach (var path in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (!int.TryParse(Path.GetFileName(path), out var fd))
            {
                continue;
            }

            SockAddrIn sin;
            var length = (uint)sizeof(SockAddrIn);
            if (GetSockName(fd, &sin, &length) != 0 || sin.Family != AfInet
                || sin.PortBigEndian != wanted.PortBigEndian || sin.AddressNetworkOrder != wanted.AddressNetworkOrder)
            {
                continue;
            }

            int accepting;
            var optLength = (uint)sizeof(int);
            if (GetSockOpt(fd, SolSocket, SoAcceptConn, &accepting, &optLength) == 0 && (accepting == 1) == listening)
            {
                return fd;
            }
        }

        return null;
    }

    /// <summary>Makes <paramref name="target"/> refer to the socket <paramref name="source"/>, then closes <paramref name="source"/>.</summary>
    public static void ReplaceAndClose(int source, int target)
    {
        if (Dup3(source, target, OCloexec) < 0)
        {
            var error = Error("dup3()");
            _ = Close(source);
            throw error;
        }

        _ = Close(source);
    }

    public static void CloseQuietly(int fd) => _ = Close(fd);

    private static SockAddrIn ToSockAddr(IPAddress address, int port)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || !address.TryWriteBytes(bytes, out _))
        {
            throw new ArgumentException($"'{address}' is not an IPv4 address.", nameof(address));
        }

        return new SockAddrIn
        {
            Family = AfInet,
            PortBigEndian = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness((ushort)port) : (ushort)port,
            AddressNetworkOrder = MemoryMarshal.Read<uint>(bytes),
        };
    }

    private static IOException Error(string call)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
    }
}
