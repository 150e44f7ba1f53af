using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace KafkaDemo.Messaging.Envelopes;

/// <summary>
/// HMAC-SHA256 (RFC 2104) on OpenSSL's low-level SHA-256, the same libcrypto and the same SHA-256
/// code that .NET's own HMAC calls on Linux, with the keyed inner and outer states computed once:
/// a MAC copies the two 112-byte states and hashes the data, then the inner hash. .NET's HMAC
/// (IncrementalHash, HMACSHA256) goes through OpenSSL 3's EVP_MAC provider layer, whose final
/// and reset copy and reallocate its digest contexts on every message; that set-up cost about
/// 0.5 µs a MAC here, more than hashing a 512-byte envelope (docs/performance.md). Thread-safe
/// and allocation-free: the keyed states are only read, and each call works on its own stack copy.
/// </summary>
/// <remarks>
/// Only where libcrypto is loadable with SHA256_Init, SHA256_Update and SHA256_Final (exported,
/// deprecated but present, by OpenSSL 1.1 and 3.x) and a self-test against
/// <see cref="HMACSHA256.HashData(byte[], byte[])"/> passes; <see cref="TryCreate"/> returns null
/// otherwise and <see cref="HmacKey"/> uses .NET's HMAC.
/// </remarks>
internal sealed unsafe class KeyedSha256 : IDisposable
{
    // sizeof(SHA256_CTX) is 112 in OpenSSL 1.1 and 3.x (openssl/sha.h: h[8], Nl, Nh, data[16],
    // num, md_len, all 32-bit); room for more costs nothing.
    private const int StateSize = 128;
    private const int BlockSize = 64;
    private const int HashSize = 32;

    private static readonly Functions? Sha256 = Load();

    private readonly byte[] _inner = GC.AllocateArray<byte>(StateSize, pinned: true);
    private readonly byte[] _outer = GC.AllocateArray<byte>(StateSize, pinned: true);
    private readonly Functions _sha256;

    private KeyedSha256(ReadOnlySpan<byte> key, Functions sha256)
    {
        _sha256 = sha256;
        Span<byte> pad = stackalloc byte[BlockSize];
        Keyed(_inner, key, 0x36, pad, sha256);
        Keyed(_outer, key, 0x5c, pad, sha256);
        CryptographicOperations.ZeroMemory(pad);
    }

    /// <summary>Whether this process can use it (libcrypto found, self-test passed).</summary>
    public static bool IsAvailable => Sha256 is not null;

    /// <summary>The keyed states for <paramref name="key"/> (at most 64 bytes), or null where <see cref="IsAvailable"/> is false.</summary>
    public static KeyedSha256? TryCreate(ReadOnlySpan<byte> key)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(key.Length, BlockSize, nameof(key));
        return Sha256 is { } functions ? new KeyedSha256(key, functions) : null;
    }

    /// <summary>Writes HMAC-SHA256(key, data) into the first 32 bytes of <paramref name="mac"/>.</summary>
    public void Compute(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mac.Length, HashSize, nameof(mac));
        var sha256 = _sha256;
        var context = stackalloc byte[StateSize];
        var innerHash = stackalloc byte[HashSize];
        fixed (byte* inner = _inner, outer = _outer, input = data, output = mac)
        {
            Buffer.MemoryCopy(inner, context, StateSize, StateSize);
            Check(sha256.Update(context, input, (nuint)data.Length) & sha256.Final(innerHash, context));
            Buffer.MemoryCopy(outer, context, StateSize, StateSize);
            Check(sha256.Update(context, innerHash, HashSize) & sha256.Final(output, context));
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_inner);
        CryptographicOperations.ZeroMemory(_outer);
    }

    private static void Keyed(byte[] state, ReadOnlySpan<byte> key, byte padByte, Span<byte> pad, Functions sha256)
    {
        pad.Fill(padByte);
        for (var i = 0; i < key.Length; i++)
        {
            pad[i] ^= key[i];
        }

        fixed (byte* s = state, p = pad)
        {
            Check(sha256.Init(s) & sha256.Update(s, p, BlockSize));
        }
    }

    private static void Check(int result)
    {
        if (result != 1)
        {
            throw new CryptographicException("OpenSSL's SHA-256 failed.");
        }
    }

    private static Functions? Load()
    {
        if (!OperatingSystem.IsLinux()
            || !(NativeLibrary.TryLoad("libcrypto.so.3", out var library) || NativeLibrary.TryLoad("libcrypto.so.1.1", out library))
            || !NativeLibrary.TryGetExport(library, "SHA256_Init", out var init)
            || !NativeLibrary.TryGetExport(library, "SHA256_Update", out var update)
            || !NativeLibrary.TryGetExport(library, "SHA256_Final", out var final))
        {
            return null;
        }

        var functions = new Functions(
            (delegate* unmanaged<byte*, int>)init,
            (delegate* unmanaged<byte*, byte*, nuint, int>)update,
            (delegate* unmanaged<byte*, byte*, int>)final);
        return SelfTest(functions) ? functions : null;
    }

    /// <summary>The same MACs as .NET's HMAC for key and data lengths around the block boundaries, or not used at all.</summary>
    private static bool SelfTest(Functions functions)
    {
        Span<byte> mac = stackalloc byte[HashSize];
        foreach (var keyLength in (int[])[1, 32, 64])
        {
            var key = RandomNumberGenerator.GetBytes(keyLength);
            using var keyed = new KeyedSha256(key, functions);
            foreach (var dataLength in (int[])[0, 1, 55, 56, 63, 64, 65, 480, 4064])
            {
                var data = RandomNumberGenerator.GetBytes(dataLength);
                keyed.Compute(data, mac);
                if (!mac.SequenceEqual(HMACSHA256.HashData(key, data)))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private sealed class Functions(
        delegate* unmanaged<byte*, int> init,
        delegate* unmanaged<byte*, byte*, nuint, int> update,
        delegate* unmanaged<byte*, byte*, int> final)
    {
        public int Init(byte* context) => init(context);

        public int Update(byte* context, byte* data, nuint length) => update(context, data, length);

        public int Final(byte* hash, byte* context) => final(hash, context);
    }
}
