using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Producer.Extensions;
using KafkaDemo.Producer.Identity;
using KafkaDemo.Producer.Options;
using KafkaDemo.Producer.Sending;
using KafkaDemo.Producer.Stats;
using KafkaDemo.ServiceHosting.Standalone;

namespace KafkaDemo.Producer.Standalone;

/// <summary>
/// <c>KafkaDemo.Producer --count N</c>: sends N messages to any cluster without the AppHost or the
/// HTTP API, waits for every acknowledgement, prints one JSON summary line and exits: 0 when every
/// message was acknowledged, 1 otherwise. Unthrottled unless --rate is given. The producer's part of
/// <see cref="StandaloneRunner"/>.
/// </summary>
public static class StandaloneRun
{
    public static StandaloneService<StandaloneSummary> Service { get; } = new()
    {
        Section = ProducerOptions.SectionName,
        KafkaConnectionName = ProducerExtensions.KafkaConnectionName,
        Switches = new Dictionary<string, string>
        {
            ["--rate"] = $"{ProducerOptions.SectionName}:Rate",
            ["--size"] = $"{ProducerOptions.SectionName}:MessageSize",
            ["--topics"] = $"{ProducerOptions.SectionName}:Topics",
            ["--keys"] = $"{ProducerOptions.SectionName}:Keys",
        },
        Defaults = new Dictionary<string, string?> { [$"{ProducerOptions.SectionName}:Rate"] = "0" },
        Register = builder => builder.AddProducer(),
        Finished = services => services.GetRequiredService<EnvelopeSender>().Finished,
        Measurement = services => services.GetRequiredService<ProducerMetrics>(),
        Summarize = services =>
        {
            var summary = Summarize(services.GetRequiredService<ProducerMetrics>(), services.GetRequiredService<ProducerIdentity>());
            return (summary, summary.Failed == 0 && summary.Acked == summary.Sent);
        },
    };

    private static StandaloneSummary Summarize(ProducerMetrics metrics, ProducerIdentity identity)
    {
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
