namespace KafkaDemo.Overseer.Api;

/// <summary>Validation shared by the HTTP API and the page's controls, so both refuse the same input the same way.</summary>
public static class ControlInputs
{
    /// <summary>Why a total rate is unacceptable, or null.</summary>
    public static string? RateProblem(double? rate) =>
        rate is { } r && double.IsFinite(r) && r >= 0 && r <= OverseerApi.MaxRate
            ? null
            : $"The rate is a number of messages per second from 0 (unthrottled) to {OverseerApi.MaxRate:F0}.";

    /// <summary>Why a p99 SLO is unacceptable, or null.</summary>
    public static string? SloProblem(double? sloP99Ms) =>
        sloP99Ms is { } s && double.IsFinite(s) && s > 0 && s <= 60_000
            ? null
            : "The p99 SLO is a number of milliseconds, more than 0 and at most 60000.";
}
