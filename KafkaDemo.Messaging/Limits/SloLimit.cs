using System.Globalization;

namespace KafkaDemo.Messaging.Limits;

/// <summary>
/// What a valid end-to-end p99 SLO is, for the Overseer's configuration, API and page and the
/// AppHost's configuration. Below a millisecond no Kafka deployment can hold it and the latency
/// histograms cannot tell it apart from scheduling noise; above a minute it is no longer a latency SLO.
/// </summary>
public static class SloLimit
{
    public const double MinMs = 1;

    public const double MaxMs = 60_000;

    public static string Range { get; } = string.Create(
        CultureInfo.InvariantCulture, $"a number of milliseconds from {MinMs:N0} to {MaxMs:N0}");

    public static bool IsValid(double sloP99Ms) => sloP99Ms is >= MinMs and <= MaxMs;

    /// <summary>Why the SLO is not valid, or null: "must be ...; it is ...".</summary>
    public static string? Problem(double sloP99Ms) =>
        IsValid(sloP99Ms) ? null : string.Create(CultureInfo.InvariantCulture, $"must be {Range}; it is {sloP99Ms}.");
}
