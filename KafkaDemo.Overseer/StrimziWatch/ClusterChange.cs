namespace KafkaDemo.Overseer.StrimziWatch;

/// <summary>What kind of change the watch saw.</summary>
public enum ClusterChangeKind
{
    /// <summary>The spec changed (and maybe the metadata too).</summary>
    Spec,

    /// <summary>Only the metadata changed: labels, annotations, ownerReferences, finalizers, a deletion asked for.</summary>
    Metadata,

    /// <summary>The resource appeared (or was replaced by one with a new uid).</summary>
    Created,

    /// <summary>The resource is gone.</summary>
    Deleted,
}

/// <summary>The kinds' names in events and the run export.</summary>
public static class ClusterChangeKinds
{
    /// <summary>spec, metadata, created, deleted.</summary>
    public static string Name(ClusterChangeKind kind) => kind.ToString().ToLowerInvariant();
}

/// <summary>A change to the Kafka, KafkaNodePool or a KafkaTopic resource, as the Overseer saw it.</summary>
/// <param name="At">When the Overseer saw it.</param>
/// <param name="Resource">"Kafka kafkademo", "KafkaNodePool dual" or "KafkaTopic orders".</param>
/// <param name="Generation">The resource's generation after the change (the last one seen, for a deletion).</param>
/// <param name="FieldManager">Who made it: the field manager that owns the changed fields (kubectl-patch for the agent's kubectl, kafkademo-overseer for a preset); "unknown" for a deletion, which Kubernetes records no manager for.</param>
/// <param name="Changes">Each setting that changed (for a created resource, its spec; for a deleted one, none).</param>
/// <param name="Kind">Spec, metadata only, created or deleted.</param>
public sealed record ClusterChange(DateTimeOffset At, string Resource, long Generation, string FieldManager, IReadOnlyList<SpecChange> Changes,
    ClusterChangeKind Kind = ClusterChangeKind.Spec)
{
    /// <summary>"num.io.threads 2→4, num.network.threads 2→3".</summary>
    public string Summary => string.Join(", ", Changes.Select(c => c.ToString()));

    /// <summary>
    /// The line for the timeline: the Kafka resource's spec changes as they are ("num.io.threads
    /// 2→4"), since the broker config is what the page is about; every other change names its
    /// resource ("KafkaTopic orders: config.retention.ms 604800000→1000", "KafkaTopic clicks deleted").
    /// </summary>
    public string Description => Kind switch
    {
        ClusterChangeKind.Created => $"{Resource} created",
        ClusterChangeKind.Deleted => $"{Resource} deleted",
        ClusterChangeKind.Spec when Resource.StartsWith("Kafka ", StringComparison.Ordinal) => Summary,
        _ => $"{Resource}: {Summary}",
    };

    /// <summary>
    /// <see cref="Description"/> and who made the change: "num.io.threads 2→4 (kubectl-patch)". A
    /// deletion names no one: Kubernetes keeps no field manager for it, and the object is gone.
    /// </summary>
    public string Line => Kind == ClusterChangeKind.Deleted ? Description : $"{Description} ({FieldManager})";

    /// <summary>Whether it changes what the brokers or topics run with (anything but a metadata-only change).</summary>
    public bool ChangesConfiguration => Kind != ClusterChangeKind.Metadata;
}

/// <summary>Broker pods ready versus desired; fewer ready means a (rolling) restart or a failure.</summary>
public sealed record BrokerPods(int Ready, int Desired)
{
    public static BrokerPods Unknown { get; } = new(0, 0);

    public bool AllReady => Desired > 0 && Ready >= Desired;
}

/// <summary>Told of every change the watcher sees: the timeline, the sustainable-rate record, the agent's rounds.</summary>
public interface IClusterChangeListener
{
    void OnClusterChange(ClusterChange change);
}
