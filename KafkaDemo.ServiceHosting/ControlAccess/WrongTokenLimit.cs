using System.Net;
using System.Net.Sockets;

namespace KafkaDemo.ServiceHosting.ControlAccess;

/// <summary>
/// Wrong control tokens from other machines, counted per peer address: after
/// <see cref="Attempts"/> in one <see cref="Window"/>, that address is refused outright (429, right
/// token or not, so a guess that comes up right tells it nothing) until the window ends. This
/// machine's own requests are never counted: a local process that the control token protects against
/// can already read the AppHost's secrets, and the dashboard's commands must not be locked out by it.
/// </summary>
/// <remarks>
/// <para>The key is the TCP peer, not a forwarded-for header (a client could rotate that freely): every
/// request a proxy relays shares the proxy's count. IPv6 peers count by their /64, the block one
/// host is usually given. The table holds at most <see cref="MaxAddresses"/> addresses; when it is
/// full of live windows, a new address is refused as if it were over the limit (stricter, never
/// unbounded).</para>
/// <para>Written here rather than on System.Threading.RateLimiting: its limiters take no
/// <see cref="TimeProvider"/> and count every request, where this counts failures only and must be
/// tested on a fake clock.</para>
/// </remarks>
public sealed class WrongTokenLimit(TimeProvider time)
{
    /// <summary>Wrong tokens an address may send in one <see cref="Window"/>.</summary>
    public const int Attempts = 10;

    /// <summary>How many addresses are followed at once.</summary>
    public const int MaxAddresses = 4096;

    /// <summary>The window, from an address's first wrong token.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, (DateTimeOffset Start, int Count)> _seen = [];

    /// <summary>How long <paramref name="peer"/> must wait, or null when it may try.</summary>
    public TimeSpan? RetryAfter(IPAddress? peer)
    {
        var key = Key(peer);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_seen.TryGetValue(key, out var entry))
            {
                if (now - entry.Start >= Window)
                {
                    _seen.Remove(key);
                    return null;
                }

                return entry.Count >= Attempts ? entry.Start + Window - now : null;
            }

            return _seen.Count >= MaxAddresses && !Prune(now) ? Window : null;
        }
    }

    /// <summary>Counts a wrong token from <paramref name="peer"/>; true when that was its last allowed one.</summary>
    public bool RecordWrong(IPAddress? peer)
    {
        var key = Key(peer);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_seen.TryGetValue(key, out var entry) || now - entry.Start >= Window)
            {
                if (!_seen.ContainsKey(key) && _seen.Count >= MaxAddresses && !Prune(now))
                {
                    return false;
                }

                entry = (now, 0);
            }

            _seen[key] = (entry.Start, entry.Count + 1);
            return entry.Count + 1 == Attempts;
        }
    }

    /// <summary>Drops ended windows; whether that made room.</summary>
    private bool Prune(DateTimeOffset now)
    {
        foreach (var (address, entry) in _seen)
        {
            if (now - entry.Start >= Window)
            {
                _seen.Remove(address);
            }
        }

        return _seen.Count < MaxAddresses;
    }

    private static IPAddress Key(IPAddress? peer)
    {
        if (peer is null)
        {
            return IPAddress.None;
        }

        if (peer.IsIPv4MappedToIPv6)
        {
            return peer.MapToIPv4();
        }

        if (peer.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return peer;
        }

        Span<byte> bytes = stackalloc byte[16];
        peer.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
