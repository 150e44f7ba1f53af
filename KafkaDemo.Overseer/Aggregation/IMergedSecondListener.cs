namespace KafkaDemo.Overseer.Aggregation;

/// <summary>
/// Told of every merged second, in order, by the fleet monitor: the summary's recent seconds, the
/// timeline, the rate controller and the agent's feedback. A listener must not block for long: the
/// next poll waits for it.
/// </summary>
public interface IMergedSecondListener
{
    /// <param name="interval">One second, merged over every live instance.</param>
    /// <param name="targetRate">The producers' summed target rate while it was measured.</param>
    Task OnSecondAsync(MergedInterval interval, double targetRate, CancellationToken cancellationToken);
}
