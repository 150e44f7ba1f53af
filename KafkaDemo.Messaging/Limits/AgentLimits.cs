using System.Globalization;

namespace KafkaDemo.Messaging.Limits;

/// <summary>
/// How often the agent runs, written once: the AppHost's <c>KafkaDemo:Agent:IntervalSeconds</c> and
/// the Overseer's <c>Overseer:Agent:IntervalSeconds</c> both start from these and are checked by
/// <see cref="IntervalProblem"/>.
/// </summary>
public static class AgentLimits
{
    /// <summary>Seconds between agent rounds.</summary>
    public const int DefaultIntervalSeconds = 120;

    public const int MinIntervalSeconds = 10;

    public const int MaxIntervalSeconds = 86_400;

    /// <summary>Why <paramref name="seconds"/> is not a valid interval, naming <paramref name="key"/>, or null when it is.</summary>
    public static string? IntervalProblem(string key, int seconds) =>
        seconds is >= MinIntervalSeconds and <= MaxIntervalSeconds
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"{key} must be from {MinIntervalSeconds} to {MaxIntervalSeconds}; it is {seconds}.");
}
