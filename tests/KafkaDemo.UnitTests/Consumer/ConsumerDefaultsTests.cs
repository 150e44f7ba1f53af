extern alias consumer;

using Confluent.Kafka;
using consumer::KafkaDemo.Consumer.Extensions;

namespace KafkaDemo.UnitTests.Consumer;

public sealed class ConsumerDefaultsTests
{
    [Fact]
    public void Defaults_fill_what_configuration_left_unset()
    {
        var config = new ConsumerConfig();
        ConsumerExtensions.ApplyConsumerDefaults(config, "group-a", "client-a");

        Assert.Equal("group-a", config.GroupId);
        Assert.Equal("client-a", config.ClientId);
        Assert.Equal(AutoOffsetReset.Earliest, config.AutoOffsetReset);
        Assert.True(config.EnableAutoCommit);
        Assert.Equal(1000, config.AutoCommitIntervalMs);
        Assert.Equal(10, config.FetchQueueBackoffMs);
        Assert.Equal(16_384, config.QueuedMaxMessagesKbytes);
    }

    [Fact]
    public void Configured_values_win_over_the_defaults()
    {
        var config = new ConsumerConfig
        {
            GroupId = "mine",
            AutoOffsetReset = AutoOffsetReset.Latest,
            EnableAutoCommit = false,
            FetchQueueBackoffMs = 1000,
            QueuedMaxMessagesKbytes = 65_536,
        };
        ConsumerExtensions.ApplyConsumerDefaults(config, "group-a", "client-a");

        Assert.Equal("mine", config.GroupId);
        Assert.Equal(AutoOffsetReset.Latest, config.AutoOffsetReset);
        Assert.False(config.EnableAutoCommit);
        Assert.Equal(1000, config.FetchQueueBackoffMs);
        Assert.Equal(65_536, config.QueuedMaxMessagesKbytes);
    }
}
