namespace KafkaDemo.Overseer.Discovery;

/// <summary>
/// The instances the EndpointSlices stand for as last seen, written by <see cref="EndpointSliceWatcher"/>
/// and read by the fleet at each poll. Empty until the first list.
/// </summary>
public sealed class DiscoveredInstances
{
    private IReadOnlyList<DiscoveredInstance> _current = [];

    /// <summary>Fired after each <see cref="Set"/>; handlers must not block.</summary>
    public event Action? Changed;

    public IReadOnlyList<DiscoveredInstance> Current => Volatile.Read(ref _current);

    public void Set(IReadOnlyList<DiscoveredInstance> instances)
    {
        Volatile.Write(ref _current, instances);
        Changed?.Invoke();
    }
}
