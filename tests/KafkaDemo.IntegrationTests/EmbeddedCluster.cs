extern alias embedded;

using embedded::KafkaDemo.EmbeddedKafka.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaDemo.IntegrationTests;

/// <summary>An embedded cluster on ports the kernel picks, shared by the tests of one class.</summary>
public sealed class EmbeddedCluster : IDisposable
{
    public EmbeddedCluster()
    {
        Cluster = EmbeddedKafkaCluster.Start(
            new EmbeddedKafkaOptions
            {
                Port = 0,
                Brokers = 3,
                Topics = "bootstrap-check",
                Partitions = 1,
                ReplicationFactor = 3,
                RetentionSeconds = 0,
            },
            NullLogger.Instance);
    }

    public EmbeddedKafkaCluster Cluster { get; }

    public string BootstrapServers => Cluster.BootstrapServers;

    /// <summary>Creates a topic no other test uses.</summary>
    public string NewTopic(int partitions = 3)
    {
        var name = $"it-{Guid.NewGuid():N}";
        Cluster.CreateTopic(name, partitions, 3);
        return name;
    }

    public void Dispose() => Cluster.Dispose();
}
