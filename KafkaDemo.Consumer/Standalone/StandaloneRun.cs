using KafkaDemo.Consumer.Consuming;
using KafkaDemo.Consumer.Extensions;
using KafkaDemo.Consumer.Options;
using KafkaDemo.Consumer.Stats;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.ServiceHosting.Standalone;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Consumer.Standalone;

/// <summary>
/// <c>KafkaDemo.Consumer --count N</c>: reads until N messages verified (or nothing arrives for
/// Consumer:IdleExitSeconds), prints one JSON summary line and exits: 0 when N verified with no
/// integrity failure, gap or duplicate, 1 otherwise. Uses a fresh consumer group, so it reads
/// the topics from the start. The consumer's part of <see cref="StandaloneRunner"/>.
/// </summary>
public static class StandaloneRun
{
    public static StandaloneService<ConsumerRunSummary> Service { get; } = new()
    {
        Section = ConsumerOptions.SectionName,
        KafkaConnectionName = ConsumerExtensions.KafkaConnectionName,
        Switches = new Dictionary<string, string>
        {
            ["--topics"] = $"{ConsumerOptions.SectionName}:Topics",
            ["--group"] = $"{ConsumerOptions.SectionName}:GroupId",
            ["--idle-exit"] = $"{ConsumerOptions.SectionName}:IdleExitSeconds",
        },
        Defaults = new Dictionary<string, string?> { [$"{ConsumerOptions.SectionName}:GroupId"] = $"kafkademo-standalone-{Guid.NewGuid():N}" },
        Register = builder => builder.AddConsumer(),
        Finished = services => services.GetRequiredService<EnvelopeConsumer>().Finished,
        Measurement = services => services.GetRequiredService<ConsumerMetrics>(),
        Summarize = services =>
        {
            var target = services.GetRequiredService<IOptions<ConsumerOptions>>().Value.MessageCount;
            var summary = Summarize(services.GetRequiredService<ConsumerMetrics>());
            var success = summary.Verified >= target && summary.IntegrityFailures.Total == 0 && summary.Gaps == 0 && summary.Duplicates == 0 && summary.Lost == 0;
            return (summary, success);
        },
    };

    private static ConsumerRunSummary Summarize(ConsumerMetrics metrics)
    {
        var stats = metrics.Snapshot();
        var seconds = Math.Max(metrics.LastReceiveMicros - metrics.FirstReceiveMicros, 1) / 1_000_000.0;
        return new ConsumerRunSummary(
            stats.Instance,
            stats.Received,
            stats.Verified,
            stats.IntegrityFailures,
            stats.Gaps,
            stats.Duplicates,
            stats.Truncated,
            stats.Lost,
            Math.Round(seconds, 3),
            Math.Round(stats.Verified / seconds, 0),
            stats.LatencyMs.SinceStart);
    }
}

/// <summary>The JSON line a standalone consumer run prints. Throughput counts verified messages from the first receive to the last.</summary>
public sealed record ConsumerRunSummary(
    string Instance,
    long Received,
    long Verified,
    IntegrityFailures IntegrityFailures,
    long Gaps,
    long Duplicates,
    long Truncated,
    long Lost,
    double Seconds,
    double VerifiedPerSecond,
    LatencySummary LatencyMs);
