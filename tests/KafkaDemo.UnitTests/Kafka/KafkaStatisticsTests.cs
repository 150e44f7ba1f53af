using KafkaDemo.ServiceDefaults.Kafka;

namespace KafkaDemo.UnitTests.Kafka;

public sealed class KafkaStatisticsTests
{
    // An abridged librdkafka statistics document, shaped as librdkafka 2.x emits it.
    private const string Document = """
        {
          "name": "consumer#consumer-1", "client_id": "consumer", "type": "consumer", "ts": 1,
          "replyq": 3, "msg_cnt": 0, "msg_size": 0,
          "tx": 120, "tx_bytes": 9000, "rx": 118, "rx_bytes": 700000,
          "txmsgs": 0, "txmsg_bytes": 0, "rxmsgs": 1500, "rxmsg_bytes": 768000,
          "brokers": {
            "127.0.0.1:9092/bootstrap": { "nodeid": -1, "state": "UP", "rtt": { "avg": 0, "p99": 0 } },
            "127.0.0.1:9092/1": { "nodeid": 1, "state": "UP", "outbuf_msg_cnt": 2, "waitresp_msg_cnt": 1,
                                  "rtt": { "min": 100, "max": 9000, "avg": 1500, "p99": 8000 } }
          },
          "topics": {
            "orders": { "topic": "orders", "partitions": {
              "0":  { "partition": 0, "consumer_lag": 42 },
              "1":  { "partition": 1, "consumer_lag": -1 },
              "-1": { "partition": -1, "consumer_lag": -1 } } }
          }
        }
        """;

    [Fact]
    public void Totals_queues_brokers_and_lag_are_read()
    {
        var s = KafkaStatistics.Parse(Document);

        Assert.Equal("consumer#consumer-1", s.Name);
        Assert.Equal("consumer", s.Type);
        Assert.Equal(3, s.ReplyQueue);
        Assert.Equal(120, s.Tx);
        Assert.Equal(700000, s.RxBytes);
        Assert.Equal(1500, s.RxMessages);

        var broker = Assert.Single(s.Brokers);
        Assert.Equal(1, broker.NodeId);
        Assert.Equal(1500, broker.RttAvgMicros);
        Assert.Equal(8000, broker.RttP99Micros);

        // Unknown lag (-1) and the internal partition (-1) are left out.
        var lag = Assert.Single(s.ConsumerLag);
        Assert.Equal(new KafkaPartitionLag("orders", 0, 42), lag);
    }

    [Fact]
    public void Missing_sections_read_as_zero_and_empty()
    {
        var s = KafkaStatistics.Parse("""{ "name": "p", "type": "producer" }""");
        Assert.Equal(0, s.Tx);
        Assert.Empty(s.Brokers);
        Assert.Empty(s.ConsumerLag);
    }

    [Fact]
    public void Text_that_is_not_json_is_a_json_error()
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => KafkaStatistics.Parse("{ not json"));
    }
}
