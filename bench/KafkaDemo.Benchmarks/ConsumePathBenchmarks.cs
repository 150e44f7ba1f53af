using BenchmarkDotNet.Attributes;
using KafkaDemo.Messaging.Envelopes;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.Messaging.Sequencing;

namespace KafkaDemo.Benchmarks;

/// <summary>
/// The consumer's per-message work after Kafka hands over a record: verify the envelope, record
/// both latencies, track the sequence. This is what must stay faster than the producer.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class ConsumePathBenchmarks
{
    private const int Streams = 12;
    private readonly HmacKey _key = HmacKey.FromSecret("benchmark-secret-0123456789");
    private readonly LatencyWindows _latency = new();
    private readonly LatencyWindows _fromActual = new();
    private readonly SequenceTracker _tracker = new();
    private readonly StreamKey[] _keys = [.. Enumerable.Range(0, Streams).Select(p => new StreamKey(Guid.NewGuid(), 1, "orders", p))];
    private EnvelopeVerifier _verifier = default!;
    private byte[] _signed = default!;
    private long _sequence;

    [Params(128, 512, 4096, 65536)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _verifier = new EnvelopeVerifier(_key);
        _signed = new byte[Size];
        new EnvelopeWriter(_key).Write(_signed, new EnvelopeFields(Guid.Empty, 1, 0, 1_000, 1_100), "orders", 0, [7]);
    }

    [Benchmark(Description = "verify + record + track")]
    public void Consume()
    {
        var now = 1_800_000_000_000_000L + _sequence;
        if (_verifier.Verify(_signed, "orders", 0, out var fields) == VerificationResult.Verified)
        {
            _latency.Record(now - (now - 5_000));
            _fromActual.Record(now - (now - 4_000));
            var stream = (int)(_sequence % Streams);
            _tracker.Observe(_keys[stream], _sequence / Streams, _sequence, now);
        }

        _sequence++;
    }
}
