namespace KafkaDemo.Overseer.Discovery;

/// <summary>One producer or consumer the Overseer polls now.</summary>
/// <param name="Key">Who it is across polls: a configured base URL, or a discovered pod's name (a replacement pod has a new one).</param>
/// <param name="IsProducer">Producer or consumer.</param>
/// <param name="Address">Where it answers.</param>
public sealed record FleetMember(string Key, bool IsProducer, InstanceAddress Address);
