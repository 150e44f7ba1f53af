using KafkaDemo.Messaging.Limits;

namespace KafkaDemo.Overseer.Control;

/// <summary>How the rate controller behaves. Bound from <c>Overseer:Controller</c>; SLO and on/off also change at runtime.</summary>
public sealed class ControllerSettings
{
    /// <summary>Whether the controller moves the rate.</summary>
    public bool Enabled { get; set; } = ControllerLimits.DefaultEnabled;

    /// <summary>The SLO: end-to-end p99 at most this many milliseconds.</summary>
    public double SloP99Ms { get; set; } = ControllerLimits.DefaultSloP99Ms;

    /// <summary>Seconds of measurements (after a rate change settles) that each decision is based on.</summary>
    public int WindowSeconds { get; set; } = ControllerLimits.DefaultWindowSeconds;

    /// <summary>The lowest total rate the controller sets, messages per second.</summary>
    public double MinRate { get; set; } = ControllerLimits.DefaultMinRate;

    /// <summary>The highest total rate the controller sets, messages per second.</summary>
    public double MaxRate { get; set; } = ControllerLimits.DefaultMaxRate;

    /// <summary>Below <c>Headroom × SLO</c> the latency is comfortable and the rate may rise.</summary>
    public double Headroom { get; set; } = 0.8;

    /// <summary>Consecutive good windows at one rate before it counts as sustained.</summary>
    public int SettleWindows { get; set; } = 3;

    /// <summary>
    /// Above this median publish delay (ms) the producers are not keeping up with their schedule.
    /// The median, not the tail: scheduling jitter on a busy machine delays a few messages (and
    /// shows in the end-to-end p99 anyway); a producer that cannot keep up delays most of them.
    /// </summary>
    public double MaxPublishDelayMs { get; set; } = 10;

    /// <summary>How long a measured limit (a breach, a sustained rate) is remembered, in seconds.</summary>
    public int MemorySeconds { get; set; } = 120;

    /// <summary>Seconds after the first measurement before the controller acts: start-up (JIT, connections, group join) is not the system's steady state.</summary>
    public int StartAfterSeconds { get; set; } = 30;

    /// <summary>Factor the rate grows by while no limit is known.</summary>
    public double IncreaseFactor { get; set; } = 1.5;

    /// <summary>Factor the rate is cut by on a breach when no good rate is known.</summary>
    public double DecreaseFactor { get; set; } = 0.7;

    /// <summary>When the known good and bad rates are this close (relative), the search has converged.</summary>
    public double ConvergedWithin { get; set; } = 0.03;

    /// <summary>Step up when re-probing an old limit.</summary>
    public double ReprobeFactor { get; set; } = 1.08;

    public ControllerSettings Clone() => (ControllerSettings)MemberwiseClone();

    /// <summary>Every problem with these settings, each naming its key under <paramref name="section"/>.</summary>
    public IEnumerable<string> Problems(string section)
    {
        foreach (var problem in ControllerLimits.Problems(section, SloP99Ms, MinRate, MaxRate, WindowSeconds))
        {
            yield return problem;
        }

        if (Headroom is <= 0 or >= 1)
        {
            yield return $"{section}:Headroom must be between 0 and 1; it is {Headroom}.";
        }

        if (StartAfterSeconds is < 0 or > 3600)
        {
            yield return $"{section}:StartAfterSeconds must be from 0 to 3600; it is {StartAfterSeconds}.";
        }

        if (SettleWindows is < 1 or > 100)
        {
            yield return $"{section}:SettleWindows must be from 1 to 100; it is {SettleWindows}.";
        }

        if (IncreaseFactor <= 1 || ReprobeFactor <= 1 || DecreaseFactor is <= 0 or >= 1)
        {
            yield return $"{section}:IncreaseFactor and ReprobeFactor must exceed 1, and DecreaseFactor must be between 0 and 1.";
        }
    }
}
