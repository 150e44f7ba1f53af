using System.Security.Cryptography;
using System.Text;
using KafkaDemo.ServiceHosting.ControlAccess;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.PageAccess;

/// <summary>
/// The token the page's login link carries (<c>/login?t=&lt;token&gt;</c>): the control token
/// (<c>Control:Token</c>; under the AppHost its <c>control-token</c> parameter). An Overseer run on
/// its own without one does not open its page to whoever reaches loopback: it generates a token
/// for this run, 128 random bits, and prints the login link at start (as the Aspire dashboard does
/// when it has no token). Its control API keeps its own rule: without a token, loopback only.
/// </summary>
public sealed class PageLoginToken
{
    private readonly byte[] _bytes;

    public PageLoginToken(IOptions<ControlOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.Value.ResolvedToken();
        Generated = configured is null;
        Value = configured ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _bytes = Encoding.UTF8.GetBytes(Value);

        // Stands for the token in the session cookie: a session made with another token (another
        // Overseer on this host, whose cookies this one also receives; an earlier token) is refused.
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("kafkademo-overseer-page:" + Value)));
    }

    /// <summary>The token itself: only ever printed in a login link, never echoed to a client.</summary>
    public string Value { get; }

    /// <summary>Whether it was generated for this run because no control token is configured.</summary>
    public bool Generated { get; }

    /// <summary>What a session cookie carries to say which token it was made with.</summary>
    public string Fingerprint { get; }

    /// <summary>Whether <paramref name="given"/> is the token (constant time).</summary>
    public bool Matches(string? given) => ControlTokenCheck.Matches(given, _bytes);
}
