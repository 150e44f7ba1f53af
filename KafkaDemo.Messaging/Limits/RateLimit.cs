using System.Globalization;

namespace KafkaDemo.Messaging.Limits;

/// <summary>
/// What a valid target rate is, for every entry point: the producer's configuration, switch and
/// API, the Overseer's API and page, and the AppHost's configuration. 0 means unthrottled;
/// otherwise at least <see cref="Min"/> and at most <see cref="Max"/> messages per second.
/// </summary>
/// <remarks>
/// The floor is what makes a change take effect within a second: at 1 msg/s the next message is
/// never more than a second away, and the producer's schedule is never asked to wait out an
/// interval longer than that.
/// </remarks>
public static class RateLimit
{
    /// <summary>The rate that means "as fast as possible".</summary>
    public const double Unthrottled = 0;

    /// <summary>The lowest throttled rate, messages per second.</summary>
    public const double Min = 1;

    /// <summary>The highest rate, messages per second, for one producer and for the whole fleet.</summary>
    public const double Max = 5_000_000;

    /// <summary>What a valid rate is, in words.</summary>
    public static string Range { get; } = string.Create(
        CultureInfo.InvariantCulture, $"0 (unthrottled) or from {Min:N0} to {Max:N0} messages per second");

    public static bool IsValid(double rate) => rate == Unthrottled || (rate is >= Min and <= Max);

    /// <summary>Why <paramref name="rate"/> is not a valid rate, or null when it is: "must be ...; it is ...".</summary>
    public static string? Problem(double rate) =>
        IsValid(rate) ? null : string.Create(CultureInfo.InvariantCulture, $"must be {Range}; it is {rate}.");

    /// <summary>
    /// Why <paramref name="total"/>, split evenly over <paramref name="producers"/> producers, is not
    /// valid, or null when it is: each producer's share must be a valid rate, and the total at most <see cref="Max"/>.
    /// </summary>
    public static string? TotalProblem(double total, int producers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(producers, 1);
        if (total == Unthrottled || (total <= Max && IsValid(total / producers)))
        {
            return null;
        }

        var lowest = Min * producers;
        return producers == 1
            ? Problem(total)
            : string.Create(
                CultureInfo.InvariantCulture,
                $"must be 0 (unthrottled) or from {lowest:N0} to {Max:N0} messages per second ({Min:N0} or more for each of the {producers} producers); it is {total}.");
    }
}
