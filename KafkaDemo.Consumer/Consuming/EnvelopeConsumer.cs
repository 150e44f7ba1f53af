using Confluent.Kafka;
using KafkaDemo.Consumer.Options;
using KafkaDemo.Consumer.Positions;
using KafkaDemo.Consumer.Stats;
using KafkaDemo.Messaging.Envelopes;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.Messaging.Sequencing;
using KafkaDemo.Messaging.Topics;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Consumer.Consuming;

/// <summary>
/// The consume loop. On a dedicated thread it reads every record of the assigned partitions,
/// verifies it, checks its sequence and records its latency, and only then stores its offset for
/// the background commit. Bad records are counted, never fatal. A record read a second time
/// (redelivered, or a duplicate in the log) is counted but adds no latency: its first delivery did.
/// </summary>
public sealed partial class EnvelopeConsumer : BackgroundService
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(200);

    private readonly IConsumer<Ignore, byte[]> _consumer;
    private readonly EnvelopeVerifier _verifier;
    private readonly ConsumerMetrics _metrics;
    private readonly SequenceTracker _tracker;
    private readonly ReadPositions _positions;
    private readonly ConsumerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<EnvelopeConsumer> _logger;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastErrorLogMicros;

    public EnvelopeConsumer(
        IConsumer<Ignore, byte[]> consumer,
        EnvelopeVerifier verifier,
        ConsumerMetrics metrics,
        ReadPositions positions,
        IOptions<ConsumerOptions> options,
        TimeProvider time,
        ILogger<EnvelopeConsumer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _consumer = consumer;
        _verifier = verifier;
        _metrics = metrics;
        _tracker = metrics.Tracker;
        _positions = positions;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Completes when a run with <see cref="ConsumerOptions.MessageCount"/> is done, or the consumer went idle.</summary>
    public Task Finished => _finished.Task;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var topics = TopicSpec.Parse(_options.Topics).Names.ToList();
        LogStarting(_logger, _options.ResolvedInstanceId(), string.Join(",", topics));
        try
        {
            _consumer.Subscribe(topics);
            ConsumeLoop(stoppingToken);
        }
        finally
        {
            Close();
            _finished.TrySetResult();
        }
    }

    private void ConsumeLoop(CancellationToken stoppingToken)
    {
        var limit = _options.MessageCount;
        var idleLimitMicros = _options.IdleExitSeconds * 1_000_000L;
        while (!stoppingToken.IsCancellationRequested)
        {
            ConsumeResult<Ignore, byte[]>? record;
            try
            {
                record = _consumer.Consume(PollTimeout);
            }
            catch (ConsumeException ex)
            {
                LogThrottled(ex.Error);
                continue;
            }

            if (record is null)
            {
                if (limit > 0 && _metrics.Received > 0 && _time.Now() - _metrics.LastReceiveMicros > idleLimitMicros)
                {
                    LogIdle(_logger, _options.IdleExitSeconds);
                    return;
                }

                continue;
            }

            Handle(record);
            if (limit > 0 && _metrics.Verified >= limit)
            {
                return;
            }
        }
    }

    /// <summary>Verifies, sequence-checks and measures one record, then stores its offset for the next commit.</summary>
    internal void Handle(ConsumeResult<Ignore, byte[]> record)
    {
        var now = _time.Now();
        _metrics.RecordReceived(now);
        var partition = record.Partition.Value;
        var result = _verifier.Verify(record.Message.Value ?? [], record.Topic, partition, out var fields);
        if (result != VerificationResult.Verified)
        {
            // A misplaced record is authentic but belongs to another partition: its sequence
            // number must not fill a gap, or make one, in this partition's streams.
            _metrics.RecordFailure(result);
            _tracker.ObserveUnverified(record.Topic, partition, record.Offset.Value);
        }
        else
        {
            var observation = _tracker.Observe(
                new StreamKey(fields.ProducerId, fields.Epoch, record.Topic, partition),
                fields.Sequence,
                record.Offset.Value,
                now);
            var firstDelivery = observation is not (SequenceObservation.Duplicate or SequenceObservation.Redelivered);
            _metrics.RecordVerified(now - fields.IntendedSendMicros, now - fields.ActualSendMicros, firstDelivery);
        }

        _positions.Handled(record.Topic, partition, record.Offset.Value);
        StoreOffset(record);
    }

    private void StoreOffset(ConsumeResult<Ignore, byte[]> record)
    {
        try
        {
            _consumer.StoreOffset(record);
        }
        catch (KafkaException ex)
        {
            // The partition was revoked meanwhile (its new owner reads the record again): not ours to commit.
            LogThrottled(ex.Error);
        }
    }

    private void Close()
    {
        try
        {
            // Commits the final offsets and leaves the group, so partitions move on at once.
            _consumer.Close();
        }
        catch (KafkaException ex)
        {
            LogCloseFailed(_logger, ex);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void LogThrottled(Error error)
    {
        var now = _time.Now();
        if (now - _lastErrorLogMicros >= 1_000_000)
        {
            _lastErrorLogMicros = now;
            LogConsumeFailed(_logger, error.Code, error.Reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer {Instance} reading {Topics}")]
    private static partial void LogStarting(ILogger logger, string instance, string topics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consume failed: {Code} {Reason}")]
    private static partial void LogConsumeFailed(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "No message for {Seconds} s; stopping")]
    private static partial void LogIdle(ILogger logger, int seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the consumer failed")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception);
}
