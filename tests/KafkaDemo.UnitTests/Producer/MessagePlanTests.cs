extern alias producer;

using KafkaDemo.Messaging.Topics;
using producer::KafkaDemo.Producer.Options;
using producer::KafkaDemo.Producer.Sending;

namespace KafkaDemo.UnitTests.Producer;

public sealed class MessagePlanTests
{
    private static readonly Dictionary<string, int> Partitions = new() { ["orders"] = 4, ["clicks"] = 2 };

    private static List<(string Topic, int Partition, string? Key, long Sequence, int Size)> Plan(
        KeyStrategy keys, int count, string size = "512", int keyCount = 8, long stickyMicros = 0, long microsPerMessage = 0)
    {
        _ = MessageSizeRange.TryParse(size, out _, out var range);
        var plan = new MessagePlan(TopicSpec.Parse("orders:3,clicks:1"), Partitions, keys, keyCount, range, seed: 1, stickyMicros);
        var result = new List<(string, int, string?, long, int)>();
        for (var i = 0; i < count; i++)
        {
            plan.Next(i * microsPerMessage, out var tp, out var key, out var sequence, out var messageSize);
            result.Add((tp.Topic, tp.Partition.Value, key is null ? null : System.Text.Encoding.ASCII.GetString(key), sequence, messageSize));
        }

        return result;
    }

    [Fact]
    public void Topics_follow_their_weights()
    {
        var plan = Plan(KeyStrategy.None, 4000);
        Assert.Equal(3000, plan.Count(m => m.Topic == "orders"));
        Assert.Equal(1000, plan.Count(m => m.Topic == "clicks"));
    }

    [Theory]
    [InlineData(KeyStrategy.None)]
    [InlineData(KeyStrategy.RoundRobin)]
    [InlineData(KeyStrategy.Random)]
    [InlineData(KeyStrategy.OneKey)]
    public void Every_partition_gets_its_own_gap_free_sequence_from_zero(KeyStrategy keys)
    {
        var plan = Plan(keys, 5000);
        foreach (var stream in plan.GroupBy(m => (m.Topic, m.Partition)))
        {
            Assert.Equal(Enumerable.Range(0, stream.Count()).Select(i => (long)i), stream.Select(m => m.Sequence));
        }
    }

    [Fact]
    public void Without_keys_and_without_stickiness_partitions_are_used_in_turn()
    {
        var orders = Plan(KeyStrategy.None, 40).Where(m => m.Topic == "orders").Select(m => m.Partition).ToList();
        Assert.Equal([0, 1, 2, 3, 0, 1, 2, 3], orders.Take(8));
        Assert.All(Plan(KeyStrategy.None, 40), m => Assert.Null(m.Key));
    }

    [Fact]
    public void Sticky_partitioning_stays_on_a_partition_for_the_interval()
    {
        // One message every 100 µs, 10 ms stickiness: 100 messages per partition, then the next one.
        var orders = Plan(KeyStrategy.None, 1200, stickyMicros: 10_000, microsPerMessage: 100)
            .Where(m => m.Topic == "orders").Select(m => m.Partition).ToList();

        var runs = orders.Aggregate(new List<(int Partition, int Length)>(), (acc, p) =>
        {
            if (acc.Count > 0 && acc[^1].Partition == p)
            {
                acc[^1] = (p, acc[^1].Length + 1);
            }
            else
            {
                acc.Add((p, 1));
            }

            return acc;
        });
        // 1200 messages over 120 ms: twelve 10 ms runs, partitions in turn.
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i % 4), runs.Select(r => r.Partition));
        Assert.All(runs, r => Assert.InRange(r.Length, 74, 76)); // 3 of every 4 messages are orders
    }

    [Fact]
    public void Sticky_partitioning_moves_on_after_a_full_batch_even_within_the_interval()
    {
        // Unthrottled: the clock barely moves, so the 128 KiB cap decides: 256 messages of 512 B.
        var orders = Plan(KeyStrategy.None, 1000, stickyMicros: 10_000, microsPerMessage: 0)
            .Where(m => m.Topic == "orders").Select(m => m.Partition).ToList();

        Assert.All(orders.Take(256), p => Assert.Equal(0, p));
        Assert.All(orders.Skip(256).Take(256), p => Assert.Equal(1, p));
    }

    [Theory]
    [InlineData(KeyStrategy.RoundRobin)]
    [InlineData(KeyStrategy.Random)]
    public void A_key_always_lands_on_the_same_partition(KeyStrategy keys)
    {
        var plan = Plan(keys, 2000);
        foreach (var byKey in plan.GroupBy(m => (m.Topic, m.Key)))
        {
            Assert.Single(byKey.Select(m => m.Partition).Distinct());
        }

        Assert.Equal(8, plan.Select(m => m.Key).Distinct().Count());
    }

    [Fact]
    public void One_key_means_one_partition_per_topic()
    {
        var plan = Plan(KeyStrategy.OneKey, 100);
        Assert.Single(plan.Where(m => m.Topic == "orders").Select(m => m.Partition).Distinct());
        Assert.All(plan, m => Assert.Equal("key-0", m.Key));
    }

    [Fact]
    public void Sizes_are_fixed_or_drawn_from_the_range()
    {
        Assert.All(Plan(KeyStrategy.None, 100, "512"), m => Assert.Equal(512, m.Size));
        var ranged = Plan(KeyStrategy.None, 5000, "100-200");
        Assert.All(ranged, m => Assert.InRange(m.Size, 100, 200));
        Assert.Contains(ranged, m => m.Size == 100);
        Assert.Contains(ranged, m => m.Size == 200);
    }

    [Fact]
    public void A_topic_without_partitions_is_refused()
    {
        _ = MessageSizeRange.TryParse("512", out _, out var size);
        var error = Assert.Throws<ArgumentException>(() =>
            new MessagePlan(TopicSpec.Parse("orders,missing"), Partitions, KeyStrategy.None, 1, size, 1));
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }
}
