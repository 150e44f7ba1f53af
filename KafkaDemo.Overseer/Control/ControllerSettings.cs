using System.ComponentModel.DataAnnotations;
using KafkaDemo.Messaging.Limits;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Control;

/// <summary>How the rate controller behaves. Bound from <c>Overseer:Controller</c>; SLO and on/off also change at runtime.</summary>
public sealed class ControllerSettings : IValidatableObject
{
    public const string SectionName = "Overseer:Controller";

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

    /// <summary>How long a measured limit (a breach, a sustained rate, where the p99 was in the band) is remembered, in seconds.</summary>
    public int MemorySeconds { get; set; } = 120;

    /// <summary>
    /// Seconds after the first measurement before the controller acts. Start-up (JIT, connections,
    /// group join) is noisy, but a breach is only a suspect until it persists, so a short wait is enough.
    /// </summary>
    public int StartAfterSeconds { get; set; } = 10;

    /// <summary>The most the rate grows in one step, while the p99 is far below the SLO (the ramp).</summary>
    public double IncreaseFactor { get; set; } = 2;

    /// <summary>The deepest single cut: a confirmed breach cuts in proportion to the overshoot, but never below this factor of the rate.</summary>
    public double DecreaseFactor { get; set; } = 0.5;

    /// <summary>The back-off when a breach lasts a second window (one window alone changes nothing): the rate times this, until it clears or is confirmed.</summary>
    public double BackOffFactor { get; set; } = 0.93;

    /// <summary>Breached windows in a row that confirm a capacity change and cut in proportion to the overshoot (windows whose p99 is clearly falling do not count).</summary>
    public int ConfirmWindows { get; set; } = 4;

    /// <summary>When the rate is this close (relative) below a known limit, the search has converged.</summary>
    public double ConvergedWithin { get; set; } = 0.03;

    /// <summary>The step when leaving a hold, near the rate where the p99 was last in the band.</summary>
    public double ReprobeFactor { get; set; } = 1.05;

    public ControllerSettings Clone() => (ControllerSettings)MemberwiseClone();

    /// <summary>The start-up check (<see cref="ControllerSettingsValidator"/>): <see cref="Problems"/> under this section.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Problems(SectionName).Select(problem => new ValidationResult(problem));

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

        if (IncreaseFactor is <= 1 or > 10)
        {
            yield return $"{section}:IncreaseFactor must be over 1 and at most 10; it is {IncreaseFactor}.";
        }

        if (ReprobeFactor is <= 1 or > 2)
        {
            yield return $"{section}:ReprobeFactor must be over 1 and at most 2; it is {ReprobeFactor}.";
        }

        if (DecreaseFactor is <= 0 or >= 1)
        {
            yield return $"{section}:DecreaseFactor must be between 0 and 1; it is {DecreaseFactor}.";
        }

        if (BackOffFactor is <= 0 or >= 1)
        {
            yield return $"{section}:BackOffFactor must be between 0 and 1; it is {BackOffFactor}.";
        }

        if (ConfirmWindows is < 2 or > 20)
        {
            yield return $"{section}:ConfirmWindows must be from 2 to 20; it is {ConfirmWindows}.";
        }

        if (MemorySeconds is < 1 or > 86_400)
        {
            yield return $"{section}:MemorySeconds must be from 1 to 86400; it is {MemorySeconds}.";
        }
    }
}

/// <summary>
/// Checks <see cref="ControllerSettings"/> at start-up; every message names its key. Generated by the
/// options source generator, which calls <see cref="ControllerSettings.Validate"/>: the rules stay in
/// <see cref="ControllerSettings.Problems"/> because the API checks a changed SLO or on/off
/// (PUT /api/controller) by the same rules at run time.
/// </summary>
[OptionsValidator]
public sealed partial class ControllerSettingsValidator : IValidateOptions<ControllerSettings>;
