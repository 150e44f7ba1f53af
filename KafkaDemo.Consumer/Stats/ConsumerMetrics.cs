using System.Diagnostics;
using System.Diagnostics.Metrics;
using KafkaDemo.Consumer.Membership;
using KafkaDemo.Consumer.Options;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Envelopes;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.Messaging.Sequencing;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Consumer.Stats;

/// <summary>
/// Everything the consumer measures: counts, verification failures by reason, sequence anomalies
/// and end-to-end latency. Recording is allocation-free; reading is safe from any thread.
/// </summary>
public sealed class ConsumerMetrics : IIntervalMeasurement, IDisposable
{
    public const string MeterName = "KafkaDemo.Consumer";

    private readonly Meter _meter;
    private readonly Histogram<double> _latency;
    private readonly RateMeter _receiveRate;
    private readonly GroupMembership _membership;
    private readonly string _instanceId;
    private readonly DateTimeOffset _startedAt;
    private long _received;
    private long _verified;
    private long _badMac;
    private long _malformed;
    private long _unknownVersion;
    private long _misplaced;
    private long _firstReceiveMicros;
    private long _lastReceiveMicros;

    public ConsumerMetrics(
        IMeterFactory meterFactory,
        SequenceTracker tracker,
        GroupMembership membership,
        IOptions<ConsumerOptions> options,
        TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Tracker = tracker;
        _membership = membership;
        _instanceId = options.Value.ResolvedInstanceId();
        _startedAt = timeProvider.GetUtcNow();
        _receiveRate = new RateMeter(() => Received);

        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableCounter("kafkademo.consumer.received", () => Received, "{message}", "Records read from Kafka.");
        _meter.CreateObservableCounter("kafkademo.consumer.verified", () => Verified, "{message}", "Records whose envelope verified.");
        _meter.CreateObservableCounter("kafkademo.consumer.integrity_failures", ObserveFailures, "{message}", "Records that failed verification, by reason.");
        _meter.CreateObservableCounter("kafkademo.consumer.gaps", () => Tracker.Counts.Gaps, "{message}", "Messages missing from their producer's stream.");
        _meter.CreateObservableCounter("kafkademo.consumer.duplicates", () => Tracker.Counts.Duplicates, "{message}", "Messages written to the log twice.");
        _meter.CreateObservableCounter("kafkademo.consumer.redelivered", () => Tracker.Counts.Redelivered, "{message}", "Records read again at an offset already read.");
        _meter.CreateObservableCounter("kafkademo.consumer.out_of_order", () => Tracker.Counts.OutOfOrder, "{message}", "Messages that arrived after a later one.");
        _meter.CreateObservableCounter("kafkademo.consumer.truncated", () => Tracker.Counts.Truncated, "{message}", "Messages removed by retention before they were read.");
        _meter.CreateObservableCounter("kafkademo.consumer.lost", () => Tracker.Counts.Lost, "{record}", "Records removed from the log (retention) before this consumer read them.");
        _meter.CreateObservableGauge("kafkademo.consumer.assigned_partitions", () => _membership.AssignedPartitions, "{partition}", "Partitions assigned to this consumer.");
        _latency = _meter.CreateHistogram(
            "kafkademo.consumer.latency", "ms", "End-to-end latency: receive time minus intended send time.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets.Milliseconds });
    }

    public SequenceTracker Tracker { get; }

    public string InstanceId => _instanceId;

    /// <summary>Receive time minus intended send time.</summary>
    public LatencyWindows Latency { get; } = new();

    /// <summary>Receive time minus actual send time.</summary>
    public LatencyWindows LatencyFromActualSend { get; } = new();

    public long Received => Interlocked.Read(ref _received);

    public long Verified => Interlocked.Read(ref _verified);

    public long FirstReceiveMicros => Interlocked.Read(ref _firstReceiveMicros);

    public long LastReceiveMicros => Interlocked.Read(ref _lastReceiveMicros);

    public IntegrityFailures Failures
    {
        get
        {
            var badMac = Interlocked.Read(ref _badMac);
            var malformed = Interlocked.Read(ref _malformed);
            var unknownVersion = Interlocked.Read(ref _unknownVersion);
            var misplaced = Interlocked.Read(ref _misplaced);
            return new IntegrityFailures(badMac + malformed + unknownVersion + misplaced, badMac, malformed, unknownVersion, misplaced);
        }
    }

    public void RecordReceived(long nowMicros)
    {
        if (Interlocked.Increment(ref _received) == 1)
        {
            Interlocked.Exchange(ref _firstReceiveMicros, nowMicros);
        }

        Interlocked.Exchange(ref _lastReceiveMicros, nowMicros);
    }

    /// <summary>
    /// Counts a verified record and, on its first delivery, records its latencies. A record read
    /// again (redelivered, or a second copy in the log) was measured when it first arrived; its
    /// second latency would only say how late the repeat was, and a replayed old record would
    /// otherwise inflate the percentiles the controller steers by.
    /// </summary>
    public void RecordVerified(long latencyMicros, long latencyFromActualSendMicros, bool firstDelivery)
    {
        Interlocked.Increment(ref _verified);
        if (!firstDelivery)
        {
            return;
        }

        Latency.Record(latencyMicros);
        LatencyFromActualSend.Record(latencyFromActualSendMicros);
        _latency.Record(latencyMicros / 1000.0);
    }

    public void RecordFailure(VerificationResult result)
    {
        switch (result)
        {
            case VerificationResult.BadMac:
                Interlocked.Increment(ref _badMac);
                break;
            case VerificationResult.UnknownVersion:
                Interlocked.Increment(ref _unknownVersion);
                break;
            case VerificationResult.Misplaced:
                Interlocked.Increment(ref _misplaced);
                break;
            default:
                Interlocked.Increment(ref _malformed);
                break;
        }
    }

    public void CloseInterval(long endUnixSeconds, long nowMicros)
    {
        Latency.CloseInterval(endUnixSeconds);
        LatencyFromActualSend.CloseInterval(endUnixSeconds);
        _receiveRate.Sample(nowMicros);
    }

    public ConsumerStats Snapshot()
    {
        var counts = Tracker.Counts;
        return new ConsumerStats(
            _instanceId,
            _startedAt,
            Received,
            Verified,
            Failures,
            counts.Gaps,
            counts.Duplicates,
            counts.Redelivered,
            counts.OutOfOrder,
            counts.Truncated,
            counts.Lost,
            counts.ProducerRestarts,
            counts.Streams,
            _membership.AssignedPartitions,
            _receiveRate.Rates(),
            Latency.Summaries(),
            LatencyFromActualSend.Summaries(),
            Latency.Snapshot(),
            LatencyFromActualSend.Snapshot());
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveFailures()
    {
        var failures = Failures;
        yield return new Measurement<long>(failures.BadMac, new TagList { { "reason", "bad_mac" } });
        yield return new Measurement<long>(failures.Malformed, new TagList { { "reason", "malformed" } });
        yield return new Measurement<long>(failures.UnknownVersion, new TagList { { "reason", "unknown_version" } });
        yield return new Measurement<long>(failures.Misplaced, new TagList { { "reason", "misplaced" } });
    }
}
