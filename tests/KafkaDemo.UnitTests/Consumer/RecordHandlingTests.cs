extern alias consumer;

using System.Reflection;
using Confluent.Kafka;
using consumer::KafkaDemo.Consumer.Consuming;
using consumer::KafkaDemo.Consumer.Membership;
using consumer::KafkaDemo.Consumer.Options;
using consumer::KafkaDemo.Consumer.Positions;
using consumer::KafkaDemo.Consumer.Stats;
using KafkaDemo.Messaging.Envelopes;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.Messaging.Sequencing;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KafkaDemo.UnitTests.Consumer;

/// <summary>What the consume loop does with one record, against a recording stand-in for the Kafka client.</summary>
public sealed class RecordHandlingTests : IDisposable
{
    private const string Topic = "orders";
    private static readonly HmacKey Key = HmacKey.FromSecret("unit-test-secret-0123456789");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ConsumerMetrics _metrics;
    private readonly EnvelopeConsumer _consumer;
    private readonly List<string> _stored = [];

    public RecordHandlingTests()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ConsumerOptions { InstanceId = "unit" });
        _metrics = new ConsumerMetrics(_meters.GetRequiredService<IMeterFactory>(), new SequenceTracker(), new GroupMembership(), options, _clock);
        var client = RecordingConsumer.Create((method, arguments) =>
        {
            if (method == nameof(IConsumer<Ignore, byte[]>.StoreOffset) && arguments[0] is ConsumeResult<Ignore, byte[]> stored)
            {
                // What was already counted when the offset was handed over for commit.
                _stored.Add($"{stored.Offset.Value}: verified {_metrics.Verified}, failures {_metrics.Failures.Total}, seen {_metrics.Tracker.Counts.Streams} stream(s)");
            }
        });
        _consumer = new EnvelopeConsumer(client, new EnvelopeVerifier(Key), _metrics, ReadPositions.None("unit test"), options, _clock, NullLogger<EnvelopeConsumer>.Instance);
    }

    public void Dispose()
    {
        _consumer.Dispose();
        _metrics.Dispose();
        _meters.Dispose();
    }

    private ConsumeResult<Ignore, byte[]> Record(long sequence, long offset, int partition = 0, int signedPartition = 0)
    {
        var value = new byte[256];
        var sent = _clock.Now() - 5_000; // sent 5 ms ago
        new EnvelopeWriter(Key).Write(value, new EnvelopeFields(Guid.Empty, 1, sequence, sent, sent), Topic, signedPartition, []);
        return new ConsumeResult<Ignore, byte[]>
        {
            TopicPartitionOffset = new TopicPartitionOffset(Topic, partition, offset),
            Message = new Message<Ignore, byte[]> { Value = value },
        };
    }

    private long LatencyCount()
    {
        _metrics.CloseInterval(_clock.GetUtcNow().ToUnixTimeSeconds() + 1, _clock.Now());
        return _metrics.Latency.Summaries().SinceStart.Count;
    }

    [Fact]
    public void The_offset_is_stored_only_after_the_record_is_verified_and_recorded()
    {
        _consumer.Handle(Record(0, offset: 10));
        _consumer.Handle(Record(1, offset: 11));

        Assert.Equal(["10: verified 1, failures 0, seen 1 stream(s)", "11: verified 2, failures 0, seen 1 stream(s)"], _stored);
    }

    [Fact]
    public void A_bad_record_is_counted_before_its_offset_is_stored()
    {
        var bad = Record(0, offset: 10);
        bad.Message.Value[100] ^= 1;

        _consumer.Handle(bad);

        Assert.Equal(["10: verified 0, failures 1, seen 0 stream(s)"], _stored);
    }

    [Fact]
    public void Redelivered_and_duplicate_records_are_counted_but_add_no_latency()
    {
        _consumer.Handle(Record(0, offset: 10));
        _consumer.Handle(Record(1, offset: 11));
        _consumer.Handle(Record(1, offset: 11)); // the same record again: redelivered
        _consumer.Handle(Record(1, offset: 12)); // a second copy in the log: duplicate

        var counts = _metrics.Tracker.Counts;
        Assert.Equal(1, counts.Redelivered);
        Assert.Equal(1, counts.Duplicates);
        Assert.Equal(4, _metrics.Verified);
        Assert.Equal(2, LatencyCount());
    }

    [Fact]
    public void A_record_signed_for_another_partition_is_misplaced_and_leaves_the_streams_alone()
    {
        _consumer.Handle(Record(0, offset: 10));
        _consumer.Handle(Record(5, offset: 11, partition: 0, signedPartition: 1)); // copied from partition 1
        _consumer.Handle(Record(1, offset: 12));

        Assert.Equal(1, _metrics.Failures.Misplaced);
        Assert.Equal(2, _metrics.Verified);
        Assert.Equal(0, _metrics.Tracker.Counts.Gaps);
        Assert.Equal(2, LatencyCount());
    }

    /// <summary>An <see cref="IConsumer{TKey, TValue}"/> that only reports the calls made to it.</summary>
    public class RecordingConsumer : DispatchProxy
    {
        private Action<string, object?[]> _onCall = (_, _) => { };

        public static IConsumer<Ignore, byte[]> Create(Action<string, object?[]> onCall)
        {
            var proxy = Create<IConsumer<Ignore, byte[]>, RecordingConsumer>();
            ((RecordingConsumer)(object)proxy)._onCall = onCall;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            _onCall(targetMethod!.Name, args ?? []);
            return targetMethod.ReturnType.IsValueType && targetMethod.ReturnType != typeof(void)
                ? Activator.CreateInstance(targetMethod.ReturnType)
                : null;
        }
    }
}
