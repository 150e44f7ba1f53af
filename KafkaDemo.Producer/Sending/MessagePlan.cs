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
public sealed class MessagePlan
{
    private readonly int[] _topicSchedule;
    private readonly TopicPartition[][] _partitions;
    private readonly long[][] _sequences;
    private readonly int[] _roundRobin;
    private readonly byte[][] _keys;
    private readonly KeyStrategy _strategy;
    private readonly MessageSizeRange _size;
    private readonly Random _random;
    private long _index;

    /// <param name="topics">Weighted topics.</param>
    /// <param name="partitionCounts">Partitions of each topic, as the cluster reports them.</param>
    /// <param name="strategy">Key strategy.</param>
    /// <param name="keyCount">Distinct keys for the keyed strategies.</param>
    /// <param name="size">Value sizes.</param>
    /// <param name="seed">Seed for random sizes and keys.</param>
    public MessagePlan(
        TopicSpec topics,
        IReadOnlyDictionary<string, int> partitionCounts,
        KeyStrategy strategy,
        int keyCount,
        MessageSizeRange size,
        int seed)
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
        _roundRobin = new int[_partitions.Length];
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

    /// <summary>Plans the next message.</summary>
    public void Next(out TopicPartition destination, out byte[]? key, out long sequence, out int size)
    {
        var topic = _topicSchedule[(int)(_index % _topicSchedule.Length)];
        var partitions = _partitions[topic];
        int partition;
        switch (_strategy)
        {
            case KeyStrategy.None:
                key = null;
                partition = _roundRobin[topic];
                _roundRobin[topic] = (partition + 1) % partitions.Length;
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
        size = _size.IsFixed ? _size.Min : _random.Next(_size.Min, _size.Max + 1);
        _index++;
    }
}
