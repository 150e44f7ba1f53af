using KafkaDemo.Messaging.Contracts;

namespace KafkaDemo.Overseer.Timeline;

/// <summary>One second of the run, merged across instances. Rates in messages per second, latencies in ms.</summary>
public sealed record TimelinePoint(
    DateTimeOffset At,
    double TargetRate,
    double SentRate,
    double AckRate,
    double ConsumedRate,
    LatencySummary Latency,
    LatencySummary PublishDelay,
    LatencySummary PublishLatency);

/// <summary>Something that happened during the run: a controller decision, an SLO breach, a fault, a manual change.</summary>
/// <param name="At">When.</param>
/// <param name="Kind">One of <see cref="EventKinds"/>.</param>
/// <param name="Message">What happened, for people.</param>
/// <param name="Details">The inputs behind it, for machines.</param>
public sealed record TimelineEvent(DateTimeOffset At, string Kind, string Message, IReadOnlyDictionary<string, object?>? Details = null);

/// <summary>The kinds of <see cref="TimelineEvent"/>.</summary>
public static class EventKinds
{
    public const string Controller = "controller";
    public const string SloBreach = "slo-breach";
    public const string Fault = "fault";
    public const string Manual = "manual";
    public const string Fleet = "fleet";
    public const string Agent = "agent";
    public const string BrokerConfig = "broker-config";
}
