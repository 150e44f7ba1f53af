using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.Producer.Extensions;
using KafkaDemo.Producer.Identity;
using KafkaDemo.Producer.Options;
using KafkaDemo.Producer.Sending;
using KafkaDemo.Producer.Stats;
using KafkaDemo.ServiceHosting.Messaging;
using KafkaDemo.ServiceHosting.Standalone;

namespace KafkaDemo.Producer.Standalone;

/// <summary>
/// <c>KafkaDemo.Producer --count N</c>: sends N messages to any cluster without the AppHost or the
/// HTTP API, waits for every acknowledgement, prints one JSON summary line and exits: 0 when every
/// message was acknowledged, 1 otherwise. Unthrottled unless --rate is given.
/// </summary>
public static class StandaloneRun
{
    /// <summary>Short command-line switches for the usual settings.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--count"] = $"{ProducerOptions.SectionName}:MessageCount",
        ["--rate"] = $"{ProducerOptions.SectionName}:Rate",
        ["--size"] = $"{ProducerOptions.SectionName}:MessageSize",
        ["--topics"] = $"{ProducerOptions.SectionName}:Topics",
        ["--keys"] = $"{ProducerOptions.SectionName}:Keys",
        ["--instance"] = $"{ProducerOptions.SectionName}:InstanceId",
        ["--bootstrap-servers"] = $"ConnectionStrings:{ProducerExtensions.KafkaConnectionName}",
    }.Concat(StandaloneRunner.SecretSwitches).ToDictionary();

    public static bool IsRequested(IEnumerable<string> args) =>
        args.Any(a => a == "--count" || a.StartsWith("--count=", StringComparison.Ordinal));

    public static Task<int> RunAsync(string[] args) =>
        StandaloneRunner.RunAsync(
            args,
            Switches,
            new Dictionary<string, string?> { [$"{ProducerOptions.SectionName}:Rate"] = "0" },
            builder =>
            {
                builder.AddEnvelopes();
                builder.AddProducer();
            },
            services => services.GetRequiredService<EnvelopeSender>().Finished,
            services =>
            {
                var summary = Summarize(services.GetRequiredService<ProducerMetrics>(), services.GetRequiredService<ProducerIdentity>());
                return (summary, summary.Failed == 0 && summary.Acked == summary.Sent);
            });

    private static StandaloneSummary Summarize(ProducerMetrics metrics, ProducerIdentity identity)
    {
        var now = TimeProvider.System.GetUtcNow();
        metrics.CloseInterval(now.ToUnixTimeSeconds() + 1, UnixMicros.From(now)); // include the last partial second
        var stats = metrics.Snapshot();
        var seconds = Math.Max(metrics.LastAckMicros - metrics.FirstSendMicros, 1) / 1_000_000.0;
        _ = MessageSizeRange.TryParse(stats.MessageSize, out _, out var size);
        var perSecond = stats.Acked / seconds;
        return new StandaloneSummary(
            identity.InstanceId,
            stats.MessageSize,
            stats.Sent,
            stats.Acked,
            stats.Failed,
            Math.Round(seconds, 3),
            Math.Round(perSecond, 0),
            Math.Round(perSecond * (size.Min + size.Max) / 2.0 / 1_000_000.0, 2),
            metrics.QueueFullWaits,
            stats.PublishLatencyMs.SinceStart,
            stats.PublishDelayMs.SinceStart);
    }
}

/// <summary>
/// The JSON line a standalone producer run prints. Throughput counts acknowledged messages from the
/// first send to the last acknowledgement; MB is 10^6 bytes of message value.
/// </summary>
public sealed record StandaloneSummary(
    string Instance,
    string MessageSize,
    long Sent,
    long Acked,
    long Failed,
    double Seconds,
    double MessagesPerSecond,
    double MegabytesPerSecond,
    long QueueFullWaits,
    LatencySummary PublishLatencyMs,
    LatencySummary PublishDelayMs);
