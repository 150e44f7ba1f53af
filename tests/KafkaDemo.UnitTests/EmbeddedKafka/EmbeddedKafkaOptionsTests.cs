extern alias embedded;

using embedded::KafkaDemo.EmbeddedKafka.Cluster;

namespace KafkaDemo.UnitTests.EmbeddedKafka;

public sealed class EmbeddedKafkaOptionsTests
{
    [Fact]
    public void The_defaults_are_valid() =>
        Assert.True(new EmbeddedKafkaOptionsValidator().Validate(null, new EmbeddedKafkaOptions()).Succeeded);

    [Fact]
    public void Invalid_settings_name_their_keys()
    {
        var result = new EmbeddedKafkaOptionsValidator().Validate(null, new EmbeddedKafkaOptions
        {
            Host = "localhost",
            Brokers = 2,
            ReplicationFactor = 3,
            Port = 65535,
            Topics = "bad topic",
            Partitions = 0,
            TrimIntervalSeconds = -1,
        });

        Assert.True(result.Failed);
        foreach (var key in new[] { "EmbeddedKafka:Host", "EmbeddedKafka:ReplicationFactor", "EmbeddedKafka:Port", "EmbeddedKafka:Topics", "EmbeddedKafka:Partitions", "EmbeddedKafka:TrimIntervalSeconds" })
        {
            Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Brokers_get_consecutive_ports_or_ephemeral_ones()
    {
        Assert.Equal([9092, 9093, 9094], new EmbeddedKafkaOptions().BrokerPorts());
        Assert.Equal([0, 0], new EmbeddedKafkaOptions { Port = 0, Brokers = 2 }.BrokerPorts());
    }

    [Fact]
    public void Retention_deletes_what_was_written_before_the_window()
    {
        var history = new LogRetention.OffsetHistory();
        var t0 = DateTimeOffset.FromUnixTimeSeconds(1_000);
        var retention = TimeSpan.FromSeconds(5);

        Assert.Null(history.Observe(t0, 100, retention));
        Assert.Null(history.Observe(t0.AddSeconds(3), 400, retention));
        // At t0+5 the end offset seen at t0 (100) is 5 s old: everything before it goes.
        Assert.Equal(100, history.Observe(t0.AddSeconds(5), 600, retention));
        // Nothing new expired.
        Assert.Null(history.Observe(t0.AddSeconds(6), 700, retention));
        Assert.Equal(400, history.Observe(t0.AddSeconds(8), 900, retention));
        // An idle partition (end offset unchanged) deletes nothing twice.
        Assert.Equal(900, history.Observe(t0.AddSeconds(20), 900, retention));
        Assert.Null(history.Observe(t0.AddSeconds(30), 900, retention));
    }
}
