namespace KafkaDemo.Overseer.Control;

/// <summary>What the rate controller is doing.</summary>
public enum ControllerState
{
    /// <summary>Turned off: the rate is whatever was set by hand.</summary>
    Off,

    /// <summary>Waiting for a full measurement window at the current rate.</summary>
    Measuring,

    /// <summary>Latency is comfortably under the SLO: raising the rate.</summary>
    Probing,

    /// <summary>Latency is within the SLO band, or over it but not following the rate (a cut did not lower it and the consumers keep up): holding the rate.</summary>
    Holding,

    /// <summary>The SLO was breached or the producer fell behind: lowering the rate.</summary>
    BackingOff,

    /// <summary>The SLO is breached even at the minimum rate: holding the minimum.</summary>
    Unattainable,
}

/// <summary>The states' names on the page, in the API and in the agent's memory block.</summary>
public static class ControllerStates
{
    /// <summary>off, measuring, probing, holding, backing-off, unattainable.</summary>
    public static string Name(ControllerState state) => state switch
    {
        ControllerState.BackingOff => "backing-off",
        _ => state.ToString().ToLowerInvariant(),
    };
}
