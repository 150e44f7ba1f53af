using KafkaDemo.Consumer.Consuming;
using KafkaDemo.Consumer.Extensions;
using KafkaDemo.Consumer.Options;
using KafkaDemo.Consumer.Stats;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.ServiceHosting.Messaging;
using KafkaDemo.ServiceHosting.Standalone;

namespace KafkaDemo.Consumer.Standalone;

/// <summary>
/// <c>KafkaDemo.Consumer --count N</c>: reads until N messages verified (or nothing arrives for
/// Consumer:IdleExitSeconds), prints one JSON summary line and exits: 0 when N verified with no
/// integrity failure, gap or duplicate, 1 otherwise. Uses a fresh consumer group, so it reads
/// the topics from the start.
/// </summary>
public static class StandaloneRun
{
    /// <summary>Short command-line switches for the usual settings.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--count"] = $"{ConsumerOptions.SectionName}:MessageCount",
        ["--topics"] = $"{ConsumerOptions.SectionName}:Topics",
        ["--group"] = $"{ConsumerOptions.SectionName}:GroupId",
        ["--idle-exit"] = $"{ConsumerOptions.SectionName}:IdleExitSeconds",
        ["--instance"] = $"{ConsumerOptions.SectionName}:InstanceId",
        ["--bootstrap-servers"] = $"ConnectionStrings:{ConsumerExtensions.KafkaConnectionName}",
    }.Concat(StandaloneRunner.SecretSwitches).ToDictionary();

    public static bool IsRequested(IEnumerable<string> args) =>
        args.Any(a => a == "--count" || a.StartsWith("--count=", StringComparison.Ordinal));

    public static Task<int> RunAsync(string[] args) =>
        StandaloneRunner.RunAsync(
            args,
            Switches,
            new Dictionary<string, string?> { [$"{ConsumerOptions.SectionName}:GroupId"] = $"kafkademo-standalone-{Guid.NewGuid():N}" },
            builder =>
            {
                builder.AddEnvelopes();
                builder.AddConsumer();
            },
            services => services.GetRequiredService<EnvelopeConsumer>().Finished,
            services =>
            {
                var metrics = services.GetRequiredService<ConsumerMetrics>();
                var target = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ConsumerOptions>>().Value.MessageCount;
                var summary = Summarize(metrics);
                var success = summary.Verified >= target && summary.IntegrityFailures.Total == 0 && summary.Gaps == 0 && summary.Duplicates == 0 && summary.Lost == 0;
                return (summary, success);
            });

    private static ConsumerRunSummary Summarize(ConsumerMetrics metrics)
    {
        var now = TimeProvider.System.GetUtcNow();
        metrics.CloseInterval(now.ToUnixTimeSeconds() + 1, UnixMicros.From(now)); // include the last partial second
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
