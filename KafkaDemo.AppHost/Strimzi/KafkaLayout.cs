using KafkaDemo.AppHost.Settings;
using KafkaDemo.Messaging.Topics;

namespace KafkaDemo.AppHost.Strimzi;

/// <summary>What the Kafka in k3d is made of, from the AppHost's settings.</summary>
/// <param name="K3d">Brokers, node ports, storage and extra broker settings.</param>
/// <param name="Topics">The topics to create.</param>
/// <param name="Partitions">Partitions per topic.</param>
/// <param name="RequestedReplicationFactor">KafkaDemo:ReplicationFactor, before it is fitted to the brokers.</param>
public sealed record KafkaLayout(K3dSettings K3d, TopicSpec Topics, int Partitions, int RequestedReplicationFactor)
{
    /// <summary>Each broker's ephemeral volume; the topics' retention keeps half of it free.</summary>
    public const long VolumeBytes = 4L << 30;

    /// <summary>Replicas per partition: as configured, but never more than there are brokers.</summary>
    public int ReplicationFactor => Math.Min(RequestedReplicationFactor, K3d.Brokers);

    /// <summary>One fewer than the replicas, so one broker can be restarted (or lost) while producing with acks=all.</summary>
    public int MinInSyncReplicas => MinInSyncReplicasFor(ReplicationFactor);

    /// <summary>One fewer than <paramref name="replicationFactor"/>, at least one.</summary>
    public static int MinInSyncReplicasFor(int replicationFactor) => Math.Max(1, replicationFactor - 1);

    public static KafkaLayout From(KafkaDemoSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new KafkaLayout(settings.K3d, TopicSpec.Parse(settings.Topics), settings.Partitions, settings.ReplicationFactor);
    }

    /// <summary>
    /// Bytes kept per partition (<c>retention.bytes</c>) and per segment (<c>segment.bytes</c>): all
    /// the partition replicas on one broker together use at most half its volume.
    /// </summary>
    public (long RetentionBytes, long SegmentBytes) Retention()
    {
        const long MiB = 1L << 20;
        var replicasPerBroker = Math.Max(1, (int)Math.Ceiling(Topics.Topics.Count * Partitions * ReplicationFactor / (double)K3d.Brokers));
        var perPartition = VolumeBytes / 2 / replicasPerBroker;
        var segment = Math.Clamp(perPartition / 4, MiB, 32 * MiB);
        var retention = Math.Clamp(perPartition - segment, 4 * MiB, 128 * MiB);
        return (retention, segment);
    }
}
