namespace KafkaDemo.Messaging.Contracts;

/// <summary>One broker of the embedded cluster as it is now.</summary>
/// <param name="Id">Broker (node) id, from 1.</param>
/// <param name="Address">Advertised host:port.</param>
/// <param name="Up">Whether it accepts connections.</param>
/// <param name="RttMs">Added round-trip latency, in milliseconds.</param>
/// <param name="UpAt">When a timed outage ends, if one is running.</param>
public sealed record BrokerStatus(int Id, string Address, bool Up, int RttMs, DateTimeOffset? UpAt = null);

/// <summary>The embedded cluster's <c>GET /api/cluster</c> document.</summary>
public sealed record ClusterState(string BootstrapServers, string Librdkafka, IReadOnlyList<BrokerStatus> Brokers);

/// <summary>Body of <c>PUT /api/faults/latency</c>: add <paramref name="Ms"/> of latency to one broker, or to all when <paramref name="Broker"/> is null.</summary>
public sealed record LatencyFault(int? Ms, int? Broker = null);

/// <summary>Body of <c>POST /api/faults/broker-down</c>: take a broker down for some seconds.</summary>
public sealed record BrokerOutage(int? Broker, int? Seconds);
