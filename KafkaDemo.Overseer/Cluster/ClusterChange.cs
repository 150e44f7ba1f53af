namespace KafkaDemo.Overseer.Cluster;

/// <summary>A change to the Kafka or KafkaNodePool resource's spec, as the Overseer saw it.</summary>
/// <param name="At">When the Overseer saw it.</param>
/// <param name="Resource">"Kafka kafkademo" or "KafkaNodePool dual".</param>
/// <param name="Generation">The resource's generation after the change.</param>
/// <param name="FieldManager">Who made it: the field manager that owns the changed fields (kubectl-patch for the agent's kubectl, kafkademo-overseer for a preset).</param>
/// <param name="Changes">Each setting that changed.</param>
public sealed record ClusterChange(DateTimeOffset At, string Resource, long Generation, string FieldManager, IReadOnlyList<SpecChange> Changes)
{
    /// <summary>"num.io.threads 2→4, num.network.threads 2→3".</summary>
    public string Summary => string.Join(", ", Changes.Select(c => c.ToString()));
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
