using System.Diagnostics.Metrics;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.Producer.Identity;
using KafkaDemo.Producer.Load;
using KafkaDemo.Producer.Options;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Producer.Stats;

/// <summary>
/// Everything the producer measures: counts, rates, publish latency (send to acknowledgement) and
/// publish delay (intended to actual send). Recording is allocation-free and thread-safe; the send
/// loop and the delivery-report thread record concurrently.
/// </summary>
public sealed class ProducerMetrics : IIntervalMeasurement, IDisposable
{
    public const string MeterName = "KafkaDemo.Producer";

    private readonly Meter _meter;
    private readonly Histogram<double> _publishLatency;
    private readonly Histogram<double> _publishDelay;
    private readonly RateMeter _sentRate;
    private readonly RateMeter _ackRate;
    private readonly ProducerIdentity _identity;
    private readonly LoadControl _control;
    private readonly ProducerOptions _options;
    private long _sent;
    private long _acked;
    private long _failed;
    private long _queueFullWaits;
    private long _firstSendMicros;
    private long _lastAckMicros;

    public ProducerMetrics(IMeterFactory meterFactory, ProducerIdentity identity, LoadControl control, IOptions<ProducerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(options);
        _identity = identity;
        _control = control;
        _options = options.Value;
        _sentRate = new RateMeter(() => Sent);
        _ackRate = new RateMeter(() => Acked);

        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableCounter("kafkademo.producer.sent", () => Sent, "{message}", "Messages handed to the Kafka client.");
        _meter.CreateObservableCounter("kafkademo.producer.acked", () => Acked, "{message}", "Messages acknowledged by the brokers.");
        _meter.CreateObservableCounter("kafkademo.producer.failed", () => Failed, "{message}", "Messages whose delivery failed.");
        _meter.CreateObservableCounter("kafkademo.producer.queue_full_waits", () => Interlocked.Read(ref _queueFullWaits), "{wait}", "Times the client's queue was full and the producer waited.");
        _meter.CreateObservableGauge("kafkademo.producer.target_rate", () => _control.Paused ? 0 : _control.TargetRate, "{message}/s", "Target send rate; 0 when unthrottled or paused.");
        _meter.CreateObservableGauge("kafkademo.producer.in_flight", () => Sent - Acked - Failed, "{message}", "Messages sent and not yet acknowledged.");
        _publishLatency = _meter.CreateHistogram(
            "kafkademo.producer.publish_latency", "ms", "From handing a message to the client to its acknowledgement.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets.Milliseconds });
        _publishDelay = _meter.CreateHistogram(
            "kafkademo.producer.publish_delay", "ms", "From a message's intended send time to its actual send time.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets.Milliseconds });
    }

    public string InstanceId => _identity.InstanceId;

    public LatencyWindows PublishLatency { get; } = new();

    public LatencyWindows PublishDelay { get; } = new();

    public long Sent => Interlocked.Read(ref _sent);

    public long Acked => Interlocked.Read(ref _acked);

    public long Failed => Interlocked.Read(ref _failed);

    public long QueueFullWaits => Interlocked.Read(ref _queueFullWaits);

    /// <summary>When the first message was handed to the client (µs since the Unix epoch), or 0.</summary>
    public long FirstSendMicros => Interlocked.Read(ref _firstSendMicros);

    /// <summary>When the latest acknowledgement arrived (µs since the Unix epoch), or 0.</summary>
    public long LastAckMicros => Interlocked.Read(ref _lastAckMicros);

    /// <summary>A message was handed to the client <paramref name="delayMicros"/> after its intended time.</summary>
    public void RecordSent(long delayMicros, long sentAtMicros)
    {
        if (Interlocked.Increment(ref _sent) == 1)
        {
            Interlocked.Exchange(ref _firstSendMicros, sentAtMicros);
        }

        PublishDelay.Record(delayMicros);
        _publishDelay.Record(delayMicros / 1000.0);
    }

    /// <summary>A message was acknowledged <paramref name="latencyMicros"/> after it was handed to the client.</summary>
    public void RecordAcked(long latencyMicros, long ackedAtMicros)
    {
        Interlocked.Increment(ref _acked);
        Interlocked.Exchange(ref _lastAckMicros, ackedAtMicros);
        PublishLatency.Record(latencyMicros);
        _publishLatency.Record(latencyMicros / 1000.0);
    }

    public void RecordFailed() => Interlocked.Increment(ref _failed);

    /// <summary>Counts <paramref name="count"/> messages as failed at once (those abandoned at shutdown).</summary>
    public void RecordFailed(long count) => Interlocked.Add(ref _failed, count);

    public void RecordQueueFullWait() => Interlocked.Increment(ref _queueFullWaits);

    public void CloseInterval(long endUnixSeconds, long nowMicros)
    {
        PublishLatency.CloseInterval(endUnixSeconds);
        PublishDelay.CloseInterval(endUnixSeconds);
        _sentRate.Sample(nowMicros);
        _ackRate.Sample(nowMicros);
    }

    public ProducerStats Snapshot()
    {
        var (rate, paused, _) = _control.Current();
        var sent = Sent;
        var acked = Acked;
        var failed = Failed;
        return new ProducerStats(
            _identity.InstanceId,
            _identity.ProducerId,
            _identity.Epoch,
            _identity.StartedAt,
            paused,
            rate,
            _sentRate.Rates(),
            _ackRate.Rates(),
            sent,
            acked,
            failed,
            Math.Max(0, sent - acked - failed),
            _options.MessageSize,
            _options.Topics,
            PublishLatency.Summaries(),
            PublishDelay.Summaries(),
            PublishLatency.Snapshot(),
            PublishDelay.Snapshot());
    }

    public void Dispose() => _meter.Dispose();
}
