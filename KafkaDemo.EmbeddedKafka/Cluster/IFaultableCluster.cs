using KafkaDemo.Messaging.Contracts;

namespace KafkaDemo.EmbeddedKafka.Cluster;

/// <summary>What fault injection needs from a cluster: its brokers, and switching them down, up and slower.</summary>
public interface IFaultableCluster
{
    /// <summary>Comma-separated host:port of every broker.</summary>
    string BootstrapServers { get; }

    int BrokerCount { get; }

    IReadOnlyList<BrokerStatus> Brokers { get; }

    /// <summary>Stops a broker accepting connections; nothing happens when it is already down.</summary>
    void SetBrokerDown(int brokerId);

    /// <summary>Lets a broker accept connections again; nothing happens when it is already up.</summary>
    /// <exception cref="IOException">It could not come back (its port was taken); it stays down.</exception>
    void SetBrokerUp(int brokerId);

    /// <summary>Adds round-trip latency to a broker's responses.</summary>
    void SetBrokerRtt(int brokerId, int rttMs);
}
