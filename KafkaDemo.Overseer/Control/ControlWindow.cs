namespace KafkaDemo.Overseer.Control;

/// <summary>One measurement window the controller decides on. Latencies in milliseconds, rates in messages per second.</summary>
/// <param name="EndedAt">When the window's last interval ended.</param>
/// <param name="TargetRate">The total target rate in force for the whole window.</param>
/// <param name="ActualRate">Messages actually sent per second in the window.</param>
/// <param name="P99Ms">End-to-end p99 over the window, merged across consumers.</param>
/// <param name="PublishDelayP50Ms">Publish delay median over the window, merged across producers: how far behind schedule they typically are.</param>
/// <param name="Messages">Messages the consumers measured in the window (0 means nothing flowed).</param>
/// <param name="ConsumedRate">Messages the consumers measured per second: below <paramref name="ActualRate"/> a backlog is growing. NaN when not known.</param>
public sealed record ControlWindow(
    DateTimeOffset EndedAt,
    double TargetRate,
    double ActualRate,
    double P99Ms,
    double PublishDelayP50Ms,
    long Messages,
    double ConsumedRate = double.NaN);

/// <summary>What the controller decided, and why, from which inputs.</summary>
public sealed record ControlDecision(
    DateTimeOffset At,
    ControllerState State,
    double PreviousRate,
    double NewRate,
    string Reason,
    ControlWindow Inputs)
{
    public bool Changed => Math.Abs(NewRate - PreviousRate) > 0.5;
}
