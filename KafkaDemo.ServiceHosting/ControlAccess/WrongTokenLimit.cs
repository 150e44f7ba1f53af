using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

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
/// <para>The control API and the Overseer's page login both guard with <see cref="RefuseIfLimitedAsync"/>
/// before checking a token and <see cref="RecordWrong(HttpContext)"/> after a wrong one, so the two
/// share one count, one exemption for this machine and one log line.</para>
/// <para>Written here rather than on System.Threading.RateLimiting: its limiters take no
/// <see cref="TimeProvider"/> and count every request, where this counts failures only and must be
/// tested on a fake clock.</para>
/// </remarks>
public sealed partial class WrongTokenLimit(TimeProvider time, ILogger<WrongTokenLimit> logger)
{
    /// <summary>Wrong tokens an address may send in one <see cref="Window"/>.</summary>
    public const int Attempts = 10;

    /// <summary>How many addresses are followed at once.</summary>
    public const int MaxAddresses = 4096;

    /// <summary>The window, from an address's first wrong token.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, (DateTimeOffset Start, int Count)> _seen = [];

    /// <summary>
    /// Refuses the request (429 as ProblemDetails, with Retry-After) when its peer is over the limit;
    /// whether it did. Requests from this machine are never refused.
    /// </summary>
    public async Task<bool> RefuseIfLimitedAsync(HttpContext context, IProblemDetailsService problems)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Loopback.IsFromThisMachine(context) || RetryAfter(context.Connection.RemoteIpAddress) is not { } wait)
        {
            return false;
        }

        await ControlRefusal.WriteTooManyWrongTokensAsync(problems, context, wait);
        return true;
    }

    /// <summary>
    /// Counts a wrong token sent with this request (never one from this machine), and logs the peer
    /// once, when that was its last allowed one.
    /// </summary>
    public void RecordWrong(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var peer = context.Connection.RemoteIpAddress;
        if (!Loopback.IsFromThisMachine(context) && RecordWrong(peer))
        {
            LogLimited(logger, peer?.ToString() ?? "unknown", Attempts, Window.TotalMinutes);
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Address} sent {Attempts} wrong control tokens within {Minutes} minutes; its control requests and page logins are refused (429) until that window ends")]
    private static partial void LogLimited(ILogger logger, string address, int attempts, double minutes);
}
