using System.ComponentModel.DataAnnotations;
using KafkaDemo.Messaging.Limits;
using KafkaDemo.Messaging.Validation;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Options;

/// <summary>
/// Configuration section <c>Overseer</c>: the mode, the instances polled and the run's timing. The AppHost
/// fills it in. Its subsections (<c>Controller</c>, <c>Cluster</c>, <c>Agent</c>, <c>BrokerMetrics</c>) are
/// bound by the features they configure, next to them. Checked at start-up by
/// <see cref="OverseerOptionsValidator"/>: the attributes, then <see cref="Validate"/> for the URLs.
/// </summary>
public sealed class OverseerOptions : IValidatableObject
{
    public const string SectionName = "Overseer";

    /// <summary>The mode the AppHost runs in (shown in the header).</summary>
    public string Mode { get; set; } = "unknown";

    /// <summary>Where the producers and consumers come from (<c>Overseer:Discovery</c>).</summary>
    [ValidateObjectMembers]
    public DiscoveryOptions Discovery { get; set; } = new();

    /// <summary>Base URLs of the producers, e.g. http://producer (service discovery) or http://localhost:5101; required with <see cref="DiscoverySource.Configured"/>.</summary>
    public List<string> Producers { get; set; } = [];

    /// <summary>Base URLs of the consumers; required with <see cref="DiscoverySource.Configured"/>.</summary>
    public List<string> Consumers { get; set; } = [];

    /// <summary>Base URL of the embedded Kafka's control API, in embedded mode.</summary>
    public string? EmbeddedKafka { get; set; }

    /// <summary>
    /// The producers' total target rate as they were started (the AppHost's KafkaDemo:Rate, split over them), in
    /// messages per second: kept as producers join, leave or restart until the controller, the API or the page sets
    /// another total (the fleet's commands give each producer its share of it). Unset: nothing is kept until a total is set.
    /// </summary>
    public double? TotalRate { get; set; }

    /// <summary>How often instances are polled, in milliseconds.</summary>
    [InRange(100, 10_000, ErrorMessage = SectionName + ":PollIntervalMs must be from {1} to {2}; it is {0}.")]
    public int PollIntervalMs { get; set; } = 1000;

    /// <summary>An instance that has not answered for this long is stale and left out.</summary>
    [InRange(2, 300, ErrorMessage = SectionName + ":StaleAfterSeconds must be from {1} to {2}; it is {0}.")]
    public int StaleAfterSeconds { get; set; } = 5;

    /// <summary>Seconds at the start of the run left out of the aggregated figures.</summary>
    [InRange(0, 3600, ErrorMessage = SectionName + ":WarmupSeconds must be from {1} to {2}; it is {0}.")]
    public int WarmupSeconds { get; set; } = 30;

    /// <summary>Length of one interval of the exported run (OpenMessaging Benchmark uses 10 s).</summary>
    [InRange(1, 600, ErrorMessage = SectionName + ":ExportIntervalSeconds must be from {1} to {2}; it is {0}.")]
    public int ExportIntervalSeconds { get; set; } = 10;

    /// <summary>Seconds shown on the charts.</summary>
    [InRange(30, 3600, ErrorMessage = SectionName + ":ChartSeconds must be from {1} to {2}; it is {0}.")]
    public int ChartSeconds { get; set; } = 300;

    /// <summary>The rules the attributes cannot state: the lists required when they are the source, every URL absolute.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        const string S = SectionName;
        if (Discovery.Source == DiscoverySource.Configured)
        {
            if (Producers.Count == 0)
            {
                yield return new ValidationResult($"{S}:Producers must list at least one base URL (e.g. {S}:Producers:0=http://localhost:5101), or set {DiscoveryOptions.SectionName}:Source=Kubernetes.");
            }

            if (Consumers.Count == 0)
            {
                yield return new ValidationResult($"{S}:Consumers must list at least one base URL (e.g. {S}:Consumers:0=http://localhost:5102), or set {DiscoveryOptions.SectionName}:Source=Kubernetes.");
            }
        }

        foreach (var (key, urls) in new[] { ("Producers", Producers), ("Consumers", Consumers) })
        {
            foreach (var url in urls.Where(u => !Uri.TryCreate(u, UriKind.Absolute, out _)))
            {
                yield return new ValidationResult($"{S}:{key}: '{url}' is not an absolute URL.");
            }
        }

        // Each URL is one instance (its counts are kept under it), so one listed twice, in one list or
        // in both, would be polled as one and counted as two.
        var listed = Producers.Select((url, i) => (Key: $"Producers:{i}", Url: url)).Concat(Consumers.Select((url, i) => (Key: $"Consumers:{i}", Url: url)));
        foreach (var twice in listed.GroupBy(l => l.Url, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return new ValidationResult($"{S}:{string.Join($" and {S}:", twice.Select(l => l.Key))} list the same URL '{twice.Key}'; each instance has its own.");
        }

        if (TotalRate is { } total && RateLimit.Problem(total) is { } rateProblem)
        {
            yield return new ValidationResult($"{S}:TotalRate {rateProblem}");
        }

        if (!string.IsNullOrEmpty(EmbeddedKafka) && !Uri.TryCreate(EmbeddedKafka, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"{S}:EmbeddedKafka: '{EmbeddedKafka}' is not an absolute URL.");
        }
    }
}

/// <summary>Checks <see cref="OverseerOptions"/> at start-up; every message names its key. Generated by the options source generator.</summary>
[OptionsValidator]
public sealed partial class OverseerOptionsValidator : IValidateOptions<OverseerOptions>;

