namespace KafkaDemo.Overseer.Fleet;

/// <summary>The latest <see cref="FleetView"/>, shared by the monitor (writer), the page, the API and the commands.</summary>
public sealed class FleetState
{
    private FleetView _current = FleetView.Empty;

    /// <summary>Fired after each update; handlers must not block.</summary>
    public event Action? Changed;

    public FleetView Current => Volatile.Read(ref _current);

    public void Update(FleetView view)
    {
        Volatile.Write(ref _current, view);
        Changed?.Invoke();
    }
}
