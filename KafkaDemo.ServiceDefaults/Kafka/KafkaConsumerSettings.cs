using Confluent.Kafka;

namespace KafkaDemo.ServiceDefaults.Kafka;

/// <summary>
/// Settings of a Kafka consumer registered with <c>AddKafkaConsumer</c>. Same shape and
/// configuration keys as Aspire.Confluent.Kafka's <c>KafkaConsumerSettings</c>.
/// </summary>
public sealed class KafkaConsumerSettings : IKafkaClientSettings
{
    /// <summary>The bootstrap servers; taken from <c>ConnectionStrings:{connectionName}</c> when present.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>librdkafka configuration. Any key can be set from configuration under <c>...:Config</c>.</summary>
    public ConsumerConfig Config { get; } = new();

    /// <summary>Skip turning librdkafka statistics into OpenTelemetry metrics.</summary>
    public bool DisableMetrics { get; set; }

    /// <summary>Skip registering the Kafka health check.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>Kept for parity with Aspire.Confluent.Kafka; this implementation emits no per-message traces.</summary>
    public bool DisableTracing { get; set; }

    ClientConfig IKafkaClientSettings.ClientConfig => Config;
}
