using Confluent.Kafka;

namespace KafkaDemo.ServiceDefaults.Kafka;

/// <summary>What producer and consumer settings have in common, so one reader serves both.</summary>
internal interface IKafkaClientSettings
{
    string? ConnectionString { get; set; }

    ClientConfig ClientConfig { get; }

    bool DisableMetrics { get; }
}
