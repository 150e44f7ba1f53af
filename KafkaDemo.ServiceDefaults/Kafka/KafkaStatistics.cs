using System.Text.Json;

namespace KafkaDemo.ServiceDefaults.Kafka;

/// <summary>The parts of one librdkafka statistics document that become metrics.</summary>
internal sealed record KafkaStatistics(
    string Name,
    string ClientId,
    string Type,
    long MessageCount,
    long MessageSize,
    long ReplyQueue,
    long Tx,
    long TxBytes,
    long Rx,
    long RxBytes,
    long TxMessages,
    long TxMessageBytes,
    long RxMessages,
    long RxMessageBytes,
    IReadOnlyList<KafkaBrokerStatistics> Brokers,
    IReadOnlyList<KafkaPartitionLag> ConsumerLag)
{
    /// <summary>Parses the JSON librdkafka emits every <c>statistics.interval.ms</c>.</summary>
    /// <exception cref="JsonException">The text is not a statistics document.</exception>
    public static KafkaStatistics Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new KafkaStatistics(
            String(root, "name"),
            String(root, "client_id"),
            String(root, "type"),
            Long(root, "msg_cnt"),
            Long(root, "msg_size"),
            Long(root, "replyq"),
            Long(root, "tx"),
            Long(root, "tx_bytes"),
            Long(root, "rx"),
            Long(root, "rx_bytes"),
            Long(root, "txmsgs"),
            Long(root, "txmsg_bytes"),
            Long(root, "rxmsgs"),
            Long(root, "rxmsg_bytes"),
            ParseBrokers(root),
            ParseLag(root));
    }

    private static List<KafkaBrokerStatistics> ParseBrokers(JsonElement root)
    {
        var brokers = new List<KafkaBrokerStatistics>();
        if (root.TryGetProperty("brokers", out var all) && all.ValueKind == JsonValueKind.Object)
        {
            foreach (var broker in all.EnumerateObject())
            {
                var nodeId = Long(broker.Value, "nodeid");
                if (nodeId < 0)
                {
                    continue; // bootstrap placeholder, not a real broker connection
                }

                var rtt = broker.Value.TryGetProperty("rtt", out var r) ? r : default;
                brokers.Add(new KafkaBrokerStatistics(
                    broker.Name,
                    (int)nodeId,
                    String(broker.Value, "state"),
                    rtt.ValueKind == JsonValueKind.Object ? Long(rtt, "avg") : 0,
                    rtt.ValueKind == JsonValueKind.Object ? Long(rtt, "p99") : 0,
                    Long(broker.Value, "outbuf_msg_cnt"),
                    Long(broker.Value, "waitresp_msg_cnt")));
            }
        }

        return brokers;
    }

    private static List<KafkaPartitionLag> ParseLag(JsonElement root)
    {
        var lag = new List<KafkaPartitionLag>();
        if (!root.TryGetProperty("topics", out var topics) || topics.ValueKind != JsonValueKind.Object)
        {
            return lag;
        }

        foreach (var topic in topics.EnumerateObject())
        {
            if (!topic.Value.TryGetProperty("partitions", out var partitions) || partitions.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var partition in partitions.EnumerateObject())
            {
                var id = Long(partition.Value, "partition");
                var consumerLag = Long(partition.Value, "consumer_lag");
                if (id >= 0 && consumerLag >= 0)
                {
                    lag.Add(new KafkaPartitionLag(topic.Name, (int)id, consumerLag));
                }
            }
        }

        return lag;
    }

    private static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n)
            ? n
            : 0;

    private static string String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";
}

/// <summary>One broker connection of a client. Round-trip times are in microseconds.</summary>
internal sealed record KafkaBrokerStatistics(
    string Name,
    int NodeId,
    string State,
    long RttAvgMicros,
    long RttP99Micros,
    long OutBufferMessages,
    long WaitingResponseMessages);

/// <summary>How far a consumer is behind the end of one partition, in messages.</summary>
internal sealed record KafkaPartitionLag(string Topic, int Partition, long Lag);
