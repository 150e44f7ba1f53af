using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Overseer.Discovery;

namespace KafkaDemo.Overseer.Fleet;

/// <summary>What the Overseer knows about one producer or consumer right now.</summary>
/// <param name="Key">Who it is across polls (<see cref="FleetMember.Key"/>): its counts are kept under it.</param>
/// <param name="Address">Where it is polled.</param>
/// <param name="IsProducer">Producer or consumer.</param>
/// <param name="Name">Its instance name, once it reported one.</param>
/// <param name="LastSeen">When it last answered, if ever.</param>
/// <param name="Stale">Silent for longer than the stale limit: left out of every figure.</param>
/// <param name="Healthy">Whether its /health answered healthy.</param>
/// <param name="Error">The last failure, if the last poll failed.</param>
/// <param name="Producer">Its latest stats, for a producer.</param>
/// <param name="Consumer">Its latest stats, for a consumer.</param>
public sealed record InstanceStatus(
    string Key,
    InstanceAddress Address,
    bool IsProducer,
    string Name,
    DateTimeOffset? LastSeen,
    bool Stale,
    bool Healthy,
    string? Error,
    ProducerStats? Producer,
    ConsumerStats? Consumer)
{
    /// <summary>Where it is polled, as shown: a base URL, or the pod through the API server's proxy.</summary>
    public string BaseUrl => Address.Display;
}

/// <summary>Everything the page and the API show about the fleet, as of one poll.</summary>
public sealed record FleetView(
    DateTimeOffset At,
    IReadOnlyList<InstanceStatus> Instances,
    ClusterState? EmbeddedCluster,
    bool? EmbeddedKafkaHealthy)
{
    public static FleetView Empty { get; } = new(DateTimeOffset.MinValue, [], null, null);

    public IEnumerable<InstanceStatus> LiveProducers => Instances.Where(i => i.IsProducer && !i.Stale && i.Producer is not null);

    public IEnumerable<InstanceStatus> LiveConsumers => Instances.Where(i => !i.IsProducer && !i.Stale && i.Consumer is not null);

    /// <summary>The producers' summed target rate; paused producers count 0.</summary>
    public double TargetRate => LiveProducers.Sum(p => p.Producer!.Paused ? 0 : p.Producer.TargetRate);

    public bool Paused => LiveProducers.Any() && LiveProducers.All(p => p.Producer!.Paused);
}
