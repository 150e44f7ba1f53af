using System.Security.Cryptography;
using Confluent.Kafka;
using KafkaDemo.Messaging.Envelopes;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.Messaging.Topics;
using KafkaDemo.Producer.Identity;
using KafkaDemo.Producer.Load;
using KafkaDemo.Producer.Options;
using KafkaDemo.Producer.Stats;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Producer.Sending;

/// <summary>
/// The send loop. On a dedicated thread it follows the <see cref="RateSchedule"/>, writes and signs
/// each envelope and hands it to the Kafka client; delivery reports come back on the client's poll
/// thread and are counted there. The client copies the value into librdkafka before Produce
/// returns (Confluent.Kafka SafeKafkaHandle.Produce: RD_KAFKA_MSG_F_COPY), so one value buffer per
/// size serves every message, and delivery reports carry nothing back
/// (<c>dotnet.producer.delivery.report.fields=none</c>): each message's send time travels in its
/// own small delivery handler instead of in a value kept alive until the acknowledgement. On shutdown it flushes what is in flight; whatever the flush
/// could not settle in <see cref="ProducerOptions.FlushTimeoutSeconds"/> is counted as failed and
/// logged as a warning, so that sent = acknowledged + failed once the producer has stopped.
/// </summary>
public sealed partial class EnvelopeSender : BackgroundService
{
    // librdkafka's default queue.buffering.max.messages: no more can be in flight at once.
    private const int MaxPooledSendTimes = 100_000;

    private const int PaddingPatternBytes = 64 * 1024;
    private static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(100);

    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly EnvelopeWriter _writer;
    private readonly LoadControl _control;
    private readonly ProducerMetrics _metrics;
    private readonly ProducerIdentity _identity;
    private readonly ProducerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<EnvelopeSender> _logger;
    private readonly Message<byte[]?, byte[]> _message = new() { Value = [], Headers = [] };
    private readonly byte[] _padding = RandomNumberGenerator.GetBytes(PaddingPatternBytes);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastErrorLogMicros;
    private byte[] _value = [];

    // The topic name length _value's padding was written for, or -1: the padding sits after the
    // name, so another message of the same size and name length finds it in place.
    private int _paddedForTopicLength = -1;

    // One holder per message in flight, reused (Microsoft.Extensions.ObjectPool, in the ASP.NET Core
    // shared framework): up to MaxPooledSendTimes are kept, more are made if ever needed and dropped.
    private readonly ObjectPool<SendTime> _sendTimes;

    // Set once shutdown has given up on what is in flight; from then on delivery reports are not
    // counted. _reporting counts delivery reports being counted right now, so that giving up and
    // counting never overlap (see AbandonInFlight).
    private int _abandoned;
    private int _reporting;

    public EnvelopeSender(
        IProducer<byte[]?, byte[]> producer,
        EnvelopeWriter writer,
        LoadControl control,
        ProducerMetrics metrics,
        ProducerIdentity identity,
        IOptions<ProducerOptions> options,
        TimeProvider time,
        ILogger<EnvelopeSender> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _producer = producer;
        _writer = writer;
        _control = control;
        _metrics = metrics;
        _identity = identity;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _sendTimes = new DefaultObjectPool<SendTime>(new SendTimePolicy(this), MaxPooledSendTimes);
    }

    /// <summary>Completes when a run with <see cref="ProducerOptions.MessageCount"/> has sent and flushed everything.</summary>
    public Task Finished => _finished.Task;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(
            () => Run(stoppingToken),
            stoppingToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        try
        {
            var topics = TopicSpec.Parse(_options.Topics);
            _ = MessageSizeRange.TryParse(_options.MessageSize, out _, out var size);
            var partitions = PartitionDiscovery.WaitForPartitions(_producer, topics, _logger, stoppingToken);
            var seed = _options.Seed != 0 ? _options.Seed : Random.Shared.Next();
            var plan = new MessagePlan(topics, partitions, _options.Keys, _options.KeyCount, size, seed, _options.StickyPartitionMs * 1000L);
            LogStarting(_logger, _identity.InstanceId, _identity.ProducerId, _identity.Epoch, _options.Topics, string.Join(",", partitions.Select(p => $"{p.Key}:{p.Value}")), _options.MessageSize, _options.Keys);
            SendLoop(plan, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Flush();
            _finished.TrySetResult();
        }
    }

    private void SendLoop(MessagePlan plan, CancellationToken stoppingToken)
    {
        var schedule = new RateSchedule();
        var limit = _options.MessageCount;
        var running = false;
        long seenVersion = -1;
        while (!stoppingToken.IsCancellationRequested && (limit == 0 || plan.Count < limit))
        {
            if (_control.Version != seenVersion)
            {
                var (rate, paused, version) = _control.Current();
                seenVersion = version;
                if (!paused && running)
                {
                    schedule.ChangeRate(rate, plan.Count, _time.Now());
                }
                else if (!paused)
                {
                    // First start, or resuming: a pause is not lag, so the schedule starts afresh.
                    schedule.Start(_time.Now(), rate, plan.Count);
                }

                running = !paused;
            }

            if (!running)
            {
                _control.WaitForChange(TimeSpan.FromSeconds(1), stoppingToken);
                continue;
            }

            var now = _time.Now();
            var wait = schedule.MicrosUntilDue(plan.Count, now);
            if (wait > 0)
            {
                Wait(wait, stoppingToken);
                continue;
            }

            // The time read to decide the message is due is its send time: one clock read per message.
            var intended = schedule.IsUnthrottled ? now : schedule.IntendedMicros(plan.Count);
            SendOne(plan, intended, now, stoppingToken);
        }
    }

    private void Wait(long micros, CancellationToken stoppingToken)
    {
        if (micros > 2_000)
        {
            // Long waits block, but wake at once if the rate changes or load is paused.
            var timeout = TimeSpan.FromMicroseconds(Math.Min(micros - 1_000, LongestWait.TotalMicroseconds));
            _control.WaitForChange(timeout, stoppingToken);
            return;
        }

        // Short waits: the next message is due within ~2 ms. Sleeping 1 ms and then sending every
        // message that has come due keeps the CPU free; the lateness shows up as publish delay.
        Thread.Sleep(1);
    }

    private void SendOne(MessagePlan plan, long intendedMicros, long actual, CancellationToken stoppingToken)
    {
        plan.Next(actual, out var destination, out var key, out var sequence, out var size);
        var value = ValueBuffer(size);
        var fields = new EnvelopeFields(_identity.ProducerId, _identity.Epoch, sequence, intendedMicros, actual);
        if (_paddedForTopicLength == destination.Topic.Length)
        {
            _writer.WriteOverPadding(value, fields, destination.Topic, destination.Partition.Value);
        }
        else
        {
            _writer.Write(value, fields, destination.Topic, destination.Partition.Value, _padding);
            _paddedForTopicLength = destination.Topic.Length;
        }

        _message.Key = key;
        _message.Value = value;

        while (true)
        {
            try
            {
                var sendTime = _sendTimes.Get();
                sendTime.SentAtMicros = actual;
                try
                {
                    _producer.Produce(destination, _message, sendTime.Handler);
                }
                catch
                {
                    // Not handed over, so no delivery report will return it.
                    _sendTimes.Return(sendTime);
                    throw;
                }

                _metrics.RecordSent(actual - intendedMicros, actual);
                return;
            }
            catch (ProduceException<byte[]?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The client holds queue.buffering.max.messages already: wait for deliveries, then
                // offer the same message again with a fresh send time.
                _metrics.RecordQueueFullWait();
                if (stoppingToken.IsCancellationRequested)
                {
                    // Never handed over: counted as sent and failed, so sent = acknowledged + failed holds.
                    _metrics.RecordSent(actual - intendedMicros, actual);
                    _metrics.RecordFailed();
                    return;
                }

                Thread.Sleep(1);
                actual = _time.Now();
                _writer.Restamp(value, actual);
            }
            catch (ProduceException<byte[]?, byte[]> ex)
            {
                _metrics.RecordSent(actual - intendedMicros, actual);
                _metrics.RecordFailed();
                LogThrottled(ex.Error);
                return;
            }
        }
    }

    /// <summary>
    /// The buffer a value of <paramref name="size"/> bytes is written into: the same one for every
    /// message of the most recent size (all of them, for a fixed size), since the client has copied
    /// the previous value before Produce returned.
    /// </summary>
    private byte[] ValueBuffer(int size)
    {
        if (_value.Length != size)
        {
            _value = new byte[size];
            _paddedForTopicLength = -1;
        }

        return _value;
    }

    private void OnDelivery(DeliveryReport<byte[]?, byte[]> report, SendTime sendTime)
    {
        // Each message's report comes exactly once (Confluent.Kafka Producer.DeliveryReportCallbackImpl
        // frees the handler's GCHandle after calling it), so the holder goes back to the pool here.
        var sentAtMicros = sendTime.SentAtMicros;
        _sendTimes.Return(sendTime);
        Interlocked.Increment(ref _reporting);
        try
        {
            if (Volatile.Read(ref _abandoned) != 0)
            {
                return; // already counted as failed at shutdown
            }

            if (report.Error.IsError)
            {
                _metrics.RecordFailed();
                LogThrottled(report.Error);
                return;
            }

            var now = _time.Now();
            _metrics.RecordAcked(now - sentAtMicros, now);
        }
        finally
        {
            Interlocked.Decrement(ref _reporting);
        }
    }

    private void Flush()
    {
        var timeout = TimeSpan.FromSeconds(_options.FlushTimeoutSeconds);
        try
        {
            var remaining = _producer.Flush(timeout);
            if (remaining > 0 || _metrics.Sent != _metrics.Acked + _metrics.Failed)
            {
                AbandonInFlight();
            }

            LogFlushed(_logger, _metrics.Sent, _metrics.Acked, _metrics.Failed, remaining);
        }
        catch (KafkaException ex)
        {
            LogFlushFailed(_logger, ex);
            AbandonInFlight();
        }
        catch (ObjectDisposedException)
        {
            // The host already disposed the client: nothing in flight can be acknowledged any more.
            AbandonInFlight();
        }
    }

    /// <summary>
    /// Counts every message still unsettled after the shutdown flush as failed. Delivery reports
    /// arriving later are ignored: the flag is raised before the count is taken, and the count
    /// waits for any report being counted at that moment (both sides use full fences).
    /// </summary>
    private void AbandonInFlight()
    {
        Interlocked.Exchange(ref _abandoned, 1);
        SpinWait.SpinUntil(() => Volatile.Read(ref _reporting) == 0);
        var lost = _metrics.Sent - _metrics.Acked - _metrics.Failed;
        if (lost > 0)
        {
            _metrics.RecordFailed(lost);
            LogAbandoned(_logger, lost, _options.FlushTimeoutSeconds, _metrics.Sent, _metrics.Acked, _metrics.Failed);
        }
    }

    private void LogThrottled(Error error)
    {
        // At most one line a second: a broker outage fails thousands of messages at once.
        var now = _time.Now();
        var last = Interlocked.Read(ref _lastErrorLogMicros);
        if (now - last >= 1_000_000 && Interlocked.CompareExchange(ref _lastErrorLogMicros, now, last) == last)
        {
            LogDeliveryFailed(_logger, error.Code, error.Reason, _metrics.Failed);
        }
    }

    /// <summary>
    /// When one message was handed to the client, for its delivery report: a pooled holder with its
    /// delegate made once, so the send path allocates nothing per message (instead of the 512-byte
    /// value the report would otherwise keep alive).
    /// </summary>
    private sealed class SendTime
    {
        public SendTime(EnvelopeSender sender) => Handler = report => sender.OnDelivery(report, this);

        public Action<DeliveryReport<byte[]?, byte[]>> Handler { get; }

        public long SentAtMicros { get; set; }
    }

    /// <summary>Makes holders for <see cref="_sendTimes"/>; a returned one is always reusable.</summary>
    private sealed class SendTimePolicy(EnvelopeSender sender) : PooledObjectPolicy<SendTime>
    {
        public override SendTime Create() => new(sender);

        public override bool Return(SendTime obj) => true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Producer {Instance} (id {ProducerId}, epoch {Epoch}) sending to {Topics} (partitions {Partitions}), size {Size}, keys {Keys}")]
    private static partial void LogStarting(ILogger logger, string instance, Guid producerId, long epoch, string topics, string partitions, string size, KeyStrategy keys);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery failed: {Code} {Reason} ({Failed} failed so far)")]
    private static partial void LogDeliveryFailed(ILogger logger, ErrorCode code, string reason, long failed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flushed: {Sent} sent, {Acked} acknowledged, {Failed} failed, {Remaining} still in flight")]
    private static partial void LogFlushed(ILogger logger, long sent, long acked, long failed, int remaining);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Lost} message(s) were still in flight when the {Seconds} s shutdown flush ended; counted as failed ({Sent} sent, {Acked} acknowledged, {Failed} failed)")]
    private static partial void LogAbandoned(ILogger logger, long lost, int seconds, long sent, long acked, long failed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Flushing the producer failed")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
