using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using KafkaDemo.Messaging.Envelopes;

namespace KafkaDemo.Benchmarks;

/// <summary>
/// Ways to compute HMAC-SHA256 of one envelope (its bytes before the MAC) with a fixed key, all
/// giving the same 32 bytes: what <see cref="HmacKey"/> does, and the alternatives issue 18 asked
/// about. Every one is checked against <see cref="HMACSHA256.HashData(byte[], byte[])"/> at set-up.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet runs Cleanup (GlobalCleanup), and benchmark classes must not be sealed.")]
public class MacBenchmarks
{
    private const int BlockSize = 64;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(EnvelopeLayout.MacSize);
    private readonly byte[] _mac = new byte[EnvelopeLayout.MacSize];
    private readonly HmacKey _hmacKey = HmacKey.FromSecret("benchmark-secret-0123456789");
    private ThreadLocal<IncrementalHash> _threadLocal = default!;
    private IncrementalHash _held = default!;
    private IncrementalHash _inner = default!;
    private IncrementalHash _outer = default!;
    private byte[] _innerPad = default!;
    private byte[] _outerPad = default!;
    private byte[] _innerScratch = default!;
    private byte[] _outerScratch = default!;
    private byte[] _data = default!;
    private LibcryptoPads _libcrypto = default!;

    /// <summary>The whole envelope's size; the MAC covers all but its last 32 bytes.</summary>
    [Params(128, 512, 4096)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = RandomNumberGenerator.GetBytes(Size - EnvelopeLayout.MacSize);
        _threadLocal = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key));
        _held = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        _inner = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _outer = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _innerPad = Pad(0x36);
        _outerPad = Pad(0x5c);
        _innerScratch = new byte[BlockSize + EnvelopeLayout.MaximumSize];
        _innerPad.CopyTo(_innerScratch, 0);
        _outerScratch = new byte[BlockSize + EnvelopeLayout.MacSize];
        _outerPad.CopyTo(_outerScratch, 0);
        _libcrypto = new LibcryptoPads(_innerPad, _outerPad);

        var expected = HMACSHA256.HashData(_key, _data);
        foreach (var (name, compute) in new (string, Action)[]
        {
            ("thread-local", ThreadLocalHmac), ("held", HeldHmac), ("one-shot", OneShot),
            ("pads, incremental", PadsIncremental), ("pads, one-shot", PadsOneShot), ("pads, libcrypto", PadsLibcrypto),
        })
        {
            Array.Clear(_mac);
            compute();
            if (!_mac.AsSpan().SequenceEqual(expected))
            {
                throw new InvalidOperationException($"The {name} HMAC differs from HMACSHA256.HashData.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _held.Dispose();
        _inner.Dispose();
        _outer.Dispose();
        _threadLocal.Value?.Dispose();
        _threadLocal.Dispose();
        _hmacKey.Dispose();
    }

    [Benchmark(Baseline = true, Description = "HmacKey.Compute")]
    public void HmacKeyCompute() => _hmacKey.Compute(_data, _mac);

    [Benchmark(Description = "ThreadLocal<IncrementalHash> HMAC")]
    public void ThreadLocalHmac()
    {
        var hmac = _threadLocal.Value!;
        hmac.AppendData(_data);
        hmac.GetHashAndReset(_mac);
    }

    [Benchmark(Description = "IncrementalHash HMAC held by the caller")]
    public void HeldHmac()
    {
        _held.AppendData(_data);
        _held.GetHashAndReset(_mac);
    }

    [Benchmark(Description = "HMACSHA256.TryHashData one-shot")]
    public void OneShot() => HMACSHA256.TryHashData(_key, _data, _mac, out _);

    [Benchmark(Description = "pads + 2 incremental SHA256")]
    public void PadsIncremental()
    {
        Span<byte> innerHash = stackalloc byte[EnvelopeLayout.MacSize];
        _inner.AppendData(_innerPad);
        _inner.AppendData(_data);
        _inner.GetHashAndReset(innerHash);
        _outer.AppendData(_outerPad);
        _outer.AppendData(innerHash);
        _outer.GetHashAndReset(_mac);
    }

    [Benchmark(Description = "pads + 2 one-shot SHA256 (data copied after the pad)")]
    public void PadsOneShot()
    {
        _data.CopyTo(_innerScratch, BlockSize);
        SHA256.TryHashData(_innerScratch.AsSpan(0, BlockSize + _data.Length), _outerScratch.AsSpan(BlockSize), out _);
        SHA256.TryHashData(_outerScratch, _mac, out _);
    }

    [Benchmark(Description = "pads + libcrypto SHA256_Update/Final on copied keyed states (HmacKey before 2026-12-07)")]
    public void PadsLibcrypto() => _libcrypto.Compute(_data, _mac);

    private byte[] Pad(byte value)
    {
        var pad = new byte[BlockSize];
        for (var i = 0; i < BlockSize; i++)
        {
            pad[i] = (byte)(value ^ (i < _key.Length ? _key[i] : 0));
        }

        return pad;
    }
}

/// <summary>Prototype: OpenSSL's low-level SHA-256 (the same code .NET calls) on keyed states computed once.</summary>
internal sealed unsafe class LibcryptoPads
{
    private readonly delegate* unmanaged<byte*, int> _init;
    private readonly delegate* unmanaged<byte*, byte*, nuint, int> _update;
    private readonly delegate* unmanaged<byte*, byte*, int> _final;
    private readonly byte[] _innerState = new byte[112];
    private readonly byte[] _outerState = new byte[112];

    public LibcryptoPads(byte[] innerPad, byte[] outerPad)
    {
        var lib = NativeLibrary.Load("libcrypto.so.3");
        _init = (delegate* unmanaged<byte*, int>)NativeLibrary.GetExport(lib, "SHA256_Init");
        _update = (delegate* unmanaged<byte*, byte*, nuint, int>)NativeLibrary.GetExport(lib, "SHA256_Update");
        _final = (delegate* unmanaged<byte*, byte*, int>)NativeLibrary.GetExport(lib, "SHA256_Final");
        Keyed(_innerState, innerPad);
        Keyed(_outerState, outerPad);
    }

    public void Compute(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        byte* ctx = stackalloc byte[112];
        byte* inner = stackalloc byte[32];
        fixed (byte* i = _innerState, o = _outerState, d = data, m = mac)
        {
            Buffer.MemoryCopy(i, ctx, 112, 112);
            _update(ctx, d, (nuint)data.Length);
            _final(inner, ctx);
            Buffer.MemoryCopy(o, ctx, 112, 112);
            _update(ctx, inner, 32);
            _final(m, ctx);
        }
    }

    private void Keyed(byte[] state, byte[] pad)
    {
        fixed (byte* s = state, p = pad)
        {
            _init(s);
            _update(s, p, 64);
        }
    }
}
