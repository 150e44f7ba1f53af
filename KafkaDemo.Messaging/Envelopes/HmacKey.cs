using System.Security.Cryptography;
using System.Text;

namespace KafkaDemo.Messaging.Envelopes;

/// <summary>
/// The 32-byte HMAC-SHA256 key derived from the shared secret with HKDF-SHA256
/// (salt "KafkaDemo envelope", info "v1 hmac-sha256"). Thread-safe and allocation-free per use.
/// </summary>
public sealed class HmacKey
{
    /// <summary>Shortest secret accepted, in UTF-8 bytes.</summary>
    public const int MinimumSecretBytes = 16;

    private static readonly byte[] Salt = "KafkaDemo envelope"u8.ToArray();
    private static readonly byte[] Info = "v1 hmac-sha256"u8.ToArray();

    private readonly byte[] _key;

    private HmacKey(byte[] key) => _key = key;

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
    public void Compute(ReadOnlySpan<byte> data, Span<byte> mac) => HMACSHA256.HashData(_key, data, mac);
}
