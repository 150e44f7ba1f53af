using BenchmarkDotNet.Attributes;
using KafkaDemo.Messaging.Envelopes;

namespace KafkaDemo.Benchmarks;

/// <summary>Signing (producer) and verifying (consumer) one version-2 envelope of each size, for a record of "orders", partition 3.</summary>
[Config(typeof(BenchmarkConfig))]
public class EnvelopeBenchmarks
{
    private const string Topic = "orders";
    private const int Partition = 3;
    private readonly HmacKey _key = HmacKey.FromSecret("benchmark-secret-0123456789");
    private EnvelopeWriter _writer = default!;
    private EnvelopeVerifier _verifier = default!;
    private byte[] _buffer = default!;
    private byte[] _signed = default!;
    private byte[] _padding = default!;
    private long _sequence;

    [Params(128, 512, 4096, 65536)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _writer = new EnvelopeWriter(_key);
        _verifier = new EnvelopeVerifier(_key);
        _buffer = new byte[Size];
        _padding = new byte[64 * 1024];
        Random.Shared.NextBytes(_padding);
        _signed = new byte[Size];
        _writer.Write(_signed, Fields(0), Topic, Partition, _padding);
    }

    [Benchmark(Description = "sign")]
    public void Sign() => _writer.Write(_buffer, Fields(_sequence++), Topic, Partition, _padding);

    /// <summary>Sign as the producer does it for a buffer that already holds the padding (same size and topic).</summary>
    [Benchmark(Description = "sign over the padding in place")]
    public void SignOverPadding() => _writer.WriteOverPadding(_signed, Fields(_sequence++), Topic, Partition);

    /// <summary>What sign does besides the MAC: the header, the location and the padding.</summary>
    [Benchmark(Description = "header and padding, no MAC")]
    public void HeaderAndPadding()
    {
        var start = EnvelopeWriter.WriteHeader(_buffer, Fields(_sequence++), Topic, Partition);
        _padding.AsSpan(0, Size - EnvelopeLayout.MacSize - start).CopyTo(_buffer.AsSpan(start));
    }

    [Benchmark(Description = "verify")]
    public VerificationResult Verify() => _verifier.Verify(_signed, Topic, Partition, out _);

    private static EnvelopeFields Fields(long sequence) =>
        new(Guid.Empty, 1_800_000_000_000_000, sequence, 1_800_000_000_000_000 + sequence, 1_800_000_000_000_100 + sequence);
}
