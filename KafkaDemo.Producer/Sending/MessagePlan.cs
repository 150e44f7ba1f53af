using System.Text;
using Confluent.Kafka;
using KafkaDemo.Messaging.Topics;
using KafkaDemo.Producer.Options;

namespace KafkaDemo.Producer.Sending;

/// <summary>
/// Decides, message by message, the topic (by weight), the partition and key (by strategy), the
/// size, and the sequence number. The producer picks partitions itself so that each (topic,
/// partition) carries its own gap-free sequence, which the consumer can check because Kafka keeps
/// order within a partition. Everything is precomputed: <see cref="Next"/> allocates nothing.
/// Not thread-safe.
/// </summary>
/// <remarks>
/// Without keys, a topic's messages stick to one partition for <c>stickyMicros</c> or until
/// <see cref="StickyBytes"/> have gone there, then move to the next partition, as librdkafka's and
/// Java's sticky partitioners do (KIP-480): batches fill up instead of every partition getting
/// a tiny batch per linger interval, which costs brokers far less per message.
/// </remarks>
public sealed class MessagePlan
{
    private readonly int[] _topicSchedule;
    private readonly TopicPartition[][] _partitions;
    private readonly long[][] _sequences;
    private readonly int[] _sticky;
    private readonly long[] _stickySince;
    private readonly long[] _stickyBytes;
    private readonly long _stickyMicros;
    private readonly byte[][] _keys;
    private readonly KeyStrategy _strategy;
    private readonly MessageSizeRange _size;
    private readonly Random _random;
    private long _index;

    /// <summary>Bytes after which an unkeyed topic moves to its next partition (librdkafka's default batch.size).</summary>
    public const int StickyBytes = 131_072;

    /// <param name="topics">Weighted topics.</param>
    /// <param name="partitionCounts">Partitions of each topic, as the cluster reports them.</param>
    /// <param name="strategy">Key strategy.</param>
    /// <param name="keyCount">Distinct keys for the keyed strategies.</param>
    /// <param name="size">Value sizes.</param>
    /// <param name="seed">Seed for random sizes and keys.</param>
    /// <param name="stickyMicros">How long an unkeyed topic stays on one partition; 0 moves on with every message.</param>
    public MessagePlan(
        TopicSpec topics,
        IReadOnlyDictionary<string, int> partitionCounts,
        KeyStrategy strategy,
        int keyCount,
        MessageSizeRange size,
        int seed,
        long stickyMicros = 0)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(partitionCounts);
        _topicSchedule = topics.BuildSchedule();
        _partitions = [.. topics.Topics.Select(t =>
        {
            var count = partitionCounts.TryGetValue(t.Name, out var n) && n > 0
                ? n
                : throw new ArgumentException($"Topic '{t.Name}' has no partitions.", nameof(partitionCounts));
            return Enumerable.Range(0, count).Select(p => new TopicPartition(t.Name, new Partition(p))).ToArray();
        })];
        _sequences = [.. _partitions.Select(p => new long[p.Length])];
        _sticky = new int[_partitions.Length];
        _stickySince = new long[_partitions.Length];
        _stickyBytes = new long[_partitions.Length];
        _stickyMicros = stickyMicros;
        _strategy = strategy;
        _keys = strategy switch
        {
            KeyStrategy.None => [],
            KeyStrategy.OneKey => [Encoding.ASCII.GetBytes("key-0")],
            _ => [.. Enumerable.Range(0, keyCount).Select(k => Encoding.ASCII.GetBytes($"key-{k}"))],
        };
        _size = size;
        _random = new Random(seed);
    }

    /// <summary>Messages planned so far.</summary>
    public long Count => _index;

    /// <summary>Plans the next message, to be sent at <paramref name="nowMicros"/>.</summary>
    public void Next(long nowMicros, out TopicPartition destination, out byte[]? key, out long sequence, out int size)
    {
        var topic = _topicSchedule[(int)(_index % _topicSchedule.Length)];
        var partitions = _partitions[topic];
        size = _size.IsFixed ? _size.Min : _random.Next(_size.Min, _size.Max + 1);
        int partition;
        switch (_strategy)
        {
            case KeyStrategy.None:
                key = null;
                if (_stickyBytes[topic] > 0
                    && (nowMicros - _stickySince[topic] >= _stickyMicros || _stickyBytes[topic] + size > StickyBytes))
                {
                    _sticky[topic] = (_sticky[topic] + 1) % partitions.Length;
                    _stickyBytes[topic] = 0;
                }

                if (_stickyBytes[topic] == 0)
                {
                    _stickySince[topic] = nowMicros;
                }

                _stickyBytes[topic] += size;
                partition = _sticky[topic];
                break;
            case KeyStrategy.Random:
                var k = _random.Next(_keys.Length);
                key = _keys[k];
                partition = k % partitions.Length;
                break;
            default:
                var r = (int)(_index % _keys.Length);
                key = _keys[r];
                partition = r % partitions.Length;
                break;
        }

        destination = partitions[partition];
        sequence = _sequences[topic][partition]++;
        _index++;
    }
}
