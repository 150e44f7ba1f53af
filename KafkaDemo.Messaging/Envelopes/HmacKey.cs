using System.Security.Cryptography;
using System.Text;

namespace KafkaDemo.Messaging.Envelopes;

/// <summary>
/// The 32-byte HMAC-SHA256 key derived from the shared secret with HKDF-SHA256
/// (salt "KafkaDemo envelope", info "v1 hmac-sha256"), the same for envelope versions 1 and 2 (the
/// version byte is covered by the MAC). Thread-safe and allocation-free per use.
/// </summary>
/// <remarks>
/// The keyed state is computed once, not per message: the one-shot API spends about 1.2 µs per
/// call on set-up, more than hashing a 512-byte envelope (see docs/performance.md). On Linux the
/// MAC runs on OpenSSL's low-level SHA-256 from the keyed inner and outer states
/// (<see cref="KeyedSha256"/>, about half the cost at 512 B); elsewhere, or if that is not
/// available, each thread keeps its own keyed .NET HMAC and resets it after every MAC.
/// </remarks>
public sealed class HmacKey : IDisposable
{
    /// <summary>Shortest secret accepted, in UTF-8 bytes.</summary>
    public const int MinimumSecretBytes = 16;

    private static readonly byte[] Salt = "KafkaDemo envelope"u8.ToArray();
    private static readonly byte[] Info = "v1 hmac-sha256"u8.ToArray();

    private readonly byte[] _key;
    private readonly KeyedSha256? _keyed;
    private readonly ThreadLocal<IncrementalHash>? _hmac;

    private HmacKey(byte[] key)
    {
        _key = key;
        _keyed = KeyedSha256.TryCreate(key);
        if (_keyed is null)
        {
            _hmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key), trackAllValues: true);
        }
    }

    /// <summary>Which implementation computes the MACs: "libcrypto SHA-256, keyed states" or ".NET HMAC per thread".</summary>
    public string Implementation => _keyed is null ? ".NET HMAC per thread" : "libcrypto SHA-256, keyed states";

    /// <summary>Derives the envelope key from a shared secret.</summary>
    /// <exception cref="ArgumentException">The secret is shorter than <see cref="MinimumSecretBytes"/>.</exception>
    public static HmacKey FromSecret(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var ikm = Encoding.UTF8.GetBytes(secret);
        if (ikm.Length < MinimumSecretBytes)
        {
            throw new ArgumentException(
                $"The HMAC secret must be at least {MinimumSecretBytes} bytes of UTF-8; it has {ikm.Length}.",
                nameof(secret));
        }

        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, EnvelopeLayout.MacSize, Salt, Info);
        CryptographicOperations.ZeroMemory(ikm);
        return new HmacKey(key);
    }

    /// <summary>Writes HMAC-SHA256(key, data) into <paramref name="mac"/> (32 bytes).</summary>
    public void Compute(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        if (_keyed is not null)
        {
            _keyed.Compute(data, mac);
            return;
        }

        var hmac = _hmac!.Value!;
        hmac.AppendData(data);
        hmac.GetHashAndReset(mac);
    }

    public void Dispose()
    {
        _keyed?.Dispose();
        if (_hmac is not null)
        {
            foreach (var hmac in _hmac.Values)
            {
                hmac.Dispose();
            }

            _hmac.Dispose();
        }

        CryptographicOperations.ZeroMemory(_key);
    }
}
