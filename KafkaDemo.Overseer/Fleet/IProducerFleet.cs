namespace KafkaDemo.Overseer.Fleet;

/// <summary>
/// The producers as the controller and the agent's feedback see them: their rates now, and a total
/// rate to set. The fleet implements it; neither the controller nor the agent knows how producers
/// are reached.
/// </summary>
public interface IProducerFleet
{
    /// <summary>Producers that report now.</summary>
    int LiveProducerCount { get; }

    /// <summary>Their summed target rate (paused ones count 0), messages per second.</summary>
    double TargetRate { get; }

    /// <summary>Their summed actual send rate over the last 10 s, messages per second.</summary>
    double ActualRate { get; }

    /// <summary>Sets the total target rate, split evenly; says per producer what was applied.</summary>
    /// <param name="why">The event to record when every producer took it; empty for none.</param>
    Task<FleetChange> SetTotalRateAsync(double totalRate, string why, CancellationToken cancellationToken);
}
