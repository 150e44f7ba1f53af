using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Options;

/// <summary>
/// Configuration section <c>Overseer</c>: the mode, the instances polled and the run's timing. The AppHost
/// fills it in. Its subsections (<c>Controller</c>, <c>Cluster</c>, <c>Agent</c>, <c>BrokerMetrics</c>) are
/// bound by the features they configure, next to them.
/// </summary>
public sealed class OverseerOptions
{
    public const string SectionName = "Overseer";

    /// <summary>The mode the AppHost runs in (shown in the header).</summary>
    public string Mode { get; set; } = "unknown";

    /// <summary>Base URLs of the producers, e.g. http://producer (service discovery) or http://localhost:5101.</summary>
    public List<string> Producers { get; set; } = [];

    /// <summary>Base URLs of the consumers.</summary>
    public List<string> Consumers { get; set; } = [];

    /// <summary>Base URL of the embedded Kafka's control API, in embedded mode.</summary>
    public string? EmbeddedKafka { get; set; }

    /// <summary>How often instances are polled, in milliseconds.</summary>
    public int PollIntervalMs { get; set; } = 1000;

    /// <summary>An instance that has not answered for this long is stale and left out.</summary>
    public int StaleAfterSeconds { get; set; } = 5;

    /// <summary>Seconds at the start of the run left out of the aggregated figures.</summary>
    public int WarmupSeconds { get; set; } = 30;

    /// <summary>Length of one interval of the exported run (OpenMessaging Benchmark uses 10 s).</summary>
    public int ExportIntervalSeconds { get; set; } = 10;

    /// <summary>Seconds shown on the charts.</summary>
    public int ChartSeconds { get; set; } = 300;
}

/// <summary>Checks <see cref="OverseerOptions"/> at start-up; every message names its key.</summary>
public sealed class OverseerOptionsValidator : IValidateOptions<OverseerOptions>
{
    public ValidateOptionsResult Validate(string? name, OverseerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = OverseerOptions.SectionName;
        var failures = new List<string>();
        foreach (var (key, urls) in new[] { ("Producers", options.Producers), ("Consumers", options.Consumers) })
        {
            if (urls.Count == 0)
            {
                failures.Add($"{S}:{key} must list at least one base URL (e.g. {S}:{key}:0=http://localhost:5101).");
            }

            foreach (var url in urls.Where(u => !Uri.TryCreate(u, UriKind.Absolute, out _)))
            {
                failures.Add($"{S}:{key}: '{url}' is not an absolute URL.");
            }
        }

        if (!string.IsNullOrEmpty(options.EmbeddedKafka) && !Uri.TryCreate(options.EmbeddedKafka, UriKind.Absolute, out _))
        {
            failures.Add($"{S}:EmbeddedKafka: '{options.EmbeddedKafka}' is not an absolute URL.");
        }

        if (options.PollIntervalMs is < 100 or > 10_000)
        {
            failures.Add($"{S}:PollIntervalMs must be from 100 to 10000; it is {options.PollIntervalMs}.");
        }

        if (options.StaleAfterSeconds is < 2 or > 300)
        {
            failures.Add($"{S}:StaleAfterSeconds must be from 2 to 300; it is {options.StaleAfterSeconds}.");
        }

        if (options.WarmupSeconds is < 0 or > 3600)
        {
            failures.Add($"{S}:WarmupSeconds must be from 0 to 3600; it is {options.WarmupSeconds}.");
        }

        if (options.ExportIntervalSeconds is < 1 or > 600)
        {
            failures.Add($"{S}:ExportIntervalSeconds must be from 1 to 600; it is {options.ExportIntervalSeconds}.");
        }

        if (options.ChartSeconds is < 30 or > 3600)
        {
            failures.Add($"{S}:ChartSeconds must be from 30 to 3600; it is {options.ChartSeconds}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
