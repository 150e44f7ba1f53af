using System.Globalization;

namespace KafkaDemo.Messaging.Limits;

/// <summary>
/// The rate controller's defaults and bounds, written once: the AppHost's <c>KafkaDemo:Controller</c>
/// section and the Overseer's <c>Overseer:Controller</c> section both start from these and are
/// checked by <see cref="Problems"/>.
/// </summary>
public static class ControllerLimits
{
    public const bool DefaultEnabled = true;

    /// <summary>End-to-end p99 SLO, milliseconds.</summary>
    public const double DefaultSloP99Ms = 25;

    /// <summary>The lowest total rate the controller sets, messages per second.</summary>
    public const double DefaultMinRate = 200;

    /// <summary>The highest total rate the controller sets, messages per second.</summary>
    public const double DefaultMaxRate = 200_000;

    /// <summary>Seconds of measurements per decision.</summary>
    public const int DefaultWindowSeconds = 5;

    public const int MinWindowSeconds = 1;

    public const int MaxWindowSeconds = 300;

    /// <summary>Every problem with these settings, each naming its key under <paramref name="section"/>.</summary>
    public static IEnumerable<string> Problems(string section, double sloP99Ms, double minRate, double maxRate, int windowSeconds)
    {
        if (SloLimit.Problem(sloP99Ms) is { } slo)
        {
            yield return $"{section}:SloP99Ms {slo}";
        }

        if (minRate is < RateLimit.Min or > RateLimit.Max || double.IsNaN(minRate))
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{section}:MinRate must be from {RateLimit.Min:N0} to {RateLimit.Max:N0} messages per second; it is {minRate}.");
        }

        if (maxRate < minRate || maxRate > RateLimit.Max || double.IsNaN(maxRate))
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{section}:MaxRate must be from MinRate ({minRate}) to {RateLimit.Max:N0} messages per second; it is {maxRate}.");
        }

        if (windowSeconds is < MinWindowSeconds or > MaxWindowSeconds)
        {
            yield return $"{section}:WindowSeconds must be from {MinWindowSeconds} to {MaxWindowSeconds}; it is {windowSeconds}.";
        }
    }
}
