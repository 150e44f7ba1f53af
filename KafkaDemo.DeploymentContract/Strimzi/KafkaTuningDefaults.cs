namespace KafkaDemo.DeploymentContract.Strimzi;

/// <summary>
/// Apache Kafka's own defaults (the broker configuration reference of Apache Kafka 4.x) for the
/// tuning keys the k3d cluster starts modest on: the <c>kafka-defaults</c> preset is the starting
/// config with these. Written once for the AppHost, which builds the presets, and the tests that
/// build them as it does.
/// </summary>
public static class KafkaTuningDefaults
{
    public static IReadOnlyDictionary<string, string> Values { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["num.io.threads"] = "8",
        ["num.network.threads"] = "3",
        ["num.replica.fetchers"] = "1",
        ["socket.send.buffer.bytes"] = "102400",
        ["socket.receive.buffer.bytes"] = "102400",
        ["queued.max.requests"] = "500",
    };
}
