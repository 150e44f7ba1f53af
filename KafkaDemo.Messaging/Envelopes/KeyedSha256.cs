using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace KafkaDemo.Messaging.Envelopes;

/// <summary>
/// HMAC-SHA256 (RFC 2104) on OpenSSL's low-level SHA-256, the same libcrypto and the same SHA-256
/// code that .NET's own HMAC calls on Linux, with the keyed inner and outer states computed once.
/// .NET's HMAC (IncrementalHash, HMACSHA256) goes through OpenSSL 3's EVP_MAC provider layer, whose
/// final and reset copy and reallocate its digest contexts on every message; that set-up cost about
/// 0.5 µs a MAC here, more than hashing a 512-byte envelope (docs/performance.md). Thread-safe
/// and allocation-free: the keyed states are only read, and each call works on its own stack copy.
/// </summary>
/// <remarks>
/// <para>Only where libcrypto is loadable with SHA256_Init and SHA256_Update (exported, deprecated
/// but present, by OpenSSL 1.1 and 3.x) and a self-test against
/// <see cref="HMACSHA256.HashData(byte[], byte[])"/> passes; <see cref="TryCreate"/> returns null
/// otherwise and <see cref="HmacKey"/> uses .NET's HMAC.</para>
/// <para>A MAC is only block compressions: SHA256_Update hands every whole 64-byte block straight to
/// the compression function when nothing is buffered (OpenSSL crypto/md32_common.h, HASH_UPDATE),
/// so the message's whole blocks go from the caller's buffer and its padded tail (FIPS 180-4
/// 5.1.1, written here) follows in one more call; the hash is then read from the state's eight
/// words (openssl/sha.h: SHA256_CTX begins with SHA_LONG h[8]) instead of calling SHA256_Final,
/// which would pad, hash and wipe a buffer again. Calls that hash at most
/// <see cref="ShortInput"/> bytes skip the GC transition (SuppressGCTransition: they take well
/// under a microsecond); longer ones make the ordinary transition.</para>
/// </remarks>
internal sealed unsafe class KeyedSha256 : IDisposable
{
    // sizeof(SHA256_CTX) is 112 in OpenSSL 1.1 and 3.x (openssl/sha.h: h[8], Nl, Nh, data[16],
    // num, md_len, all 32-bit); room for more costs nothing.
    private const int StateSize = 128;
    private const int BlockSize = 64;
    private const int HashSize = 32;

    // The last 8 bytes of a padded message hold its length in bits.
    private const int LengthSize = 8;

    /// <summary>The most bytes one call hashes without a GC transition: 16 blocks, about 0.7 µs here.</summary>
    internal const int ShortInput = 1024;

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
    /// <remarks>Its stack buffers are not zeroed first (SkipLocalsInit): every byte read was written.</remarks>
    [SkipLocalsInit]
    public void Compute(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mac.Length, HashSize, nameof(mac));
        var sha256 = _sha256;
        var context = stackalloc byte[StateSize];
        var tail = stackalloc byte[2 * BlockSize];
        var whole = data.Length & ~(BlockSize - 1);
        fixed (byte* inner = _inner, outer = _outer, input = data, output = mac)
        {
            // Inner hash: H((key ^ ipad) || data). The keyed state has hashed the pad's block.
            Buffer.MemoryCopy(inner, context, StateSize, StateSize);
            if (whole > 0)
            {
                sha256.Update(context, input, whole);
            }

            var tailLength = Pad(tail, input + whole, data.Length - whole, BlockSize + (long)data.Length);
            sha256.Update(context, tail, tailLength);

            // Outer hash: H((key ^ opad) || inner hash), one block: the 32-byte hash, then its padding.
            WriteHash(context, tail);
            Pad(tail, tail, HashSize, BlockSize + HashSize);
            Buffer.MemoryCopy(outer, context, StateSize, StateSize);
            sha256.Update(context, tail, BlockSize);
            WriteHash(context, output);
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_inner);
        CryptographicOperations.ZeroMemory(_outer);
    }

    /// <summary>
    /// Writes the last <paramref name="count"/> bytes of a message (they may already be in place),
    /// then SHA-256's padding: 0x80, zeros, and the message's whole length in bits, big-endian, so
    /// that the result ends on a block boundary. Returns its length: one block, or two when the
    /// length no longer fits after the bytes.
    /// </summary>
    private static int Pad(byte* block, byte* bytes, int count, long messageLength)
    {
        var length = count + 1 + LengthSize <= BlockSize ? BlockSize : 2 * BlockSize;
        if (bytes != block)
        {
            Buffer.MemoryCopy(bytes, block, count, count);
        }

        block[count] = 0x80;
        new Span<byte>(block + count + 1, length - count - 1 - LengthSize).Clear();
        BinaryPrimitives.WriteInt64BigEndian(new Span<byte>(block + length - LengthSize, LengthSize), messageLength * 8);
        return length;
    }

    /// <summary>The hash in a state whose message ended on a block boundary: its eight words, big-endian.</summary>
    private static void WriteHash(byte* context, byte* hash)
    {
        var words = (uint*)context;
        for (var i = 0; i < HashSize / sizeof(uint); i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(new Span<byte>(hash + (i * sizeof(uint)), sizeof(uint)), words[i]);
        }
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
            Check(sha256.Init(s));
            sha256.Update(s, p, BlockSize);
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
            || !NativeLibrary.TryGetExport(library, "SHA256_Update", out var update))
        {
            return null;
        }

        var functions = new Functions((delegate* unmanaged<byte*, int>)init, update);
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
            foreach (var dataLength in (int[])[0, 1, 55, 56, 63, 64, 65, 119, 120, 480, ShortInput, ShortInput + 1, 4064])
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

    /// <summary>
    /// SHA256_Init, and SHA256_Update twice: with and without a GC transition. SHA256_Update
    /// returns 1 always (md32_common.h HASH_UPDATE); a wrong result shows in the self-test.
    /// </summary>
    private sealed class Functions(delegate* unmanaged<byte*, int> init, nint update)
    {
        private readonly delegate* unmanaged<byte*, byte*, nuint, int> _update = (delegate* unmanaged<byte*, byte*, nuint, int>)update;
        private readonly delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int> _shortUpdate =
            (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int>)update;

        public int Init(byte* context) => init(context);

        public void Update(byte* context, byte* data, int length)
        {
            if (length <= ShortInput)
            {
                _shortUpdate(context, data, (nuint)length);
            }
            else
            {
                _update(context, data, (nuint)length);
            }
        }
    }
}
