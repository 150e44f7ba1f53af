using BenchmarkDotNet.Attributes;
using HdrHistogram;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.Messaging.Sequencing;

namespace KafkaDemo.Benchmarks;

/// <summary>
/// Per-message recording (latency histogram, sequence tracking) and the once-a-second work:
/// closing an interval, summarising, encoding, and the Overseer's decode-and-merge.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class MeasurementBenchmarks
{
    private const int Instances = 4;
    private readonly LatencyWindows _windows = new();
    private readonly SequenceTracker _tracker = new();
    private readonly StreamKey _key = new(Guid.NewGuid(), 1, "orders", 0);
    private readonly HistogramBase _second = LatencyHistograms.Create();
    private string[] _encoded = default!;
    private long _value;
    private long _sequence;
    private long _label;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (var i = 0; i < 20_000; i++)
        {
            var v = (long)Math.Pow(10, 2 + (random.NextDouble() * 4));
            _second.RecordValue(v);
            _windows.Record(v);
        }

        _windows.CloseInterval(++_label);
        _encoded = [.. Enumerable.Range(0, Instances).Select(_ => LatencyHistograms.Encode(_second))];
    }

    [Benchmark(Description = "histogram record (per message)")]
    public void Record() => _windows.Record(100 + (_value++ & 0xFFFF));

    [Benchmark(Description = "sequence track, in order (per message)")]
    public SequenceObservation Track()
    {
        var n = _sequence++;
        return _tracker.Observe(_key, n, n, n);
    }

    [Benchmark(Description = "close interval (per second)")]
    public void CloseInterval()
    {
        _windows.Record(1_000);
        _windows.CloseInterval(++_label);
    }

    [Benchmark(Description = "stats snapshot: 3 windows (per request)")]
    public LatencyWindowSummaries Summaries() => _windows.Summaries();

    [Benchmark(Description = "encode one interval (per second)")]
    public string Encode() => LatencyHistograms.Encode(_second);

    [Benchmark(Description = "decode and merge 4 instances (Overseer, per second)")]
    public long Merge()
    {
        var merged = LatencyHistograms.Create();
        foreach (var text in _encoded)
        {
            merged.Add(LatencyHistograms.Decode(text));
        }

        return merged.GetValueAtPercentile(99);
    }
}
