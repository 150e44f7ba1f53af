namespace KafkaDemo.EmbeddedKafka.Cluster;

/// <summary>One broker of the embedded cluster as it is now.</summary>
/// <param name="Id">Broker (node) id, from 1.</param>
/// <param name="Address">Advertised host:port.</param>
/// <param name="Up">Whether it accepts connections.</param>
/// <param name="RttMs">Added round-trip latency, in milliseconds.</param>
public sealed record BrokerState(int Id, string Address, bool Up, int RttMs);
