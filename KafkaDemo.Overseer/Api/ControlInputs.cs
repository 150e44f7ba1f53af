using KafkaDemo.Messaging.Limits;

namespace KafkaDemo.Overseer.Api;

/// <summary>
/// Validation shared by the HTTP API and the page's controls, so both refuse the same input the
/// same way. The limits themselves are the shared ones (<see cref="RateLimit"/>, <see cref="SloLimit"/>).
/// </summary>
public static class ControlInputs
{
    /// <summary>Why a total rate, split evenly over <paramref name="producers"/> producers, is unacceptable, or null.</summary>
    public static string? RateProblem(double? rate, int producers) =>
        rate is not { } r ? $"The rate is missing or not a number: it must be {RateLimit.Range}."
        : RateLimit.TotalProblem(r, Math.Max(1, producers)) is { } problem ? "The rate " + problem
        : null;

    /// <summary>Why a p99 SLO is unacceptable, or null.</summary>
    public static string? SloProblem(double? sloP99Ms) =>
        sloP99Ms is not { } s ? $"The p99 SLO is missing or not a number: it must be {SloLimit.Range}."
        : SloLimit.Problem(s) is { } problem ? "The p99 SLO " + problem
        : null;
}
