using System.ComponentModel.DataAnnotations;
using KafkaDemo.Messaging.Envelopes;
using KafkaDemo.Messaging.Limits;
using KafkaDemo.Messaging.Topics;
using KafkaDemo.Messaging.Validation;

namespace KafkaDemo.Producer.Options;

/// <summary>
/// Configuration section <c>Producer</c>, checked at start-up by <see cref="ProducerOptionsValidator"/>:
/// the attributes, then <see cref="Validate"/> for what they cannot say.
/// </summary>
public sealed class ProducerOptions : IValidatableObject
{
    public const string SectionName = "Producer";

    /// <summary>Name of this instance; its producer id is derived from it. Defaults to OTEL_SERVICE_NAME, else "producer".</summary>
    public string InstanceId { get; set; } = "";

    /// <summary>
    /// Target rate in messages per second (open loop); 0 sends as fast as possible. Changeable at
    /// runtime. Valid rates are those of <see cref="Messaging.Limits.RateLimit"/>.
    /// </summary>
    public double Rate { get; set; } = 1000;

    /// <summary>Message value size: "512" or "256-4096" bytes.</summary>
    public string MessageSize { get; set; } = "512";

    /// <summary>Weighted topics, for example "orders:3,clicks:1".</summary>
    public string Topics { get; set; } = "orders:3,clicks:1";

    /// <summary>How keys and partitions are chosen.</summary>
    [Defined(ErrorMessage = SectionName + ":Keys must be one of {1}; it is {0}.")]
    public KeyStrategy Keys { get; set; } = KeyStrategy.None;

    /// <summary>Distinct keys for <see cref="KeyStrategy.RoundRobin"/> and <see cref="KeyStrategy.Random"/>.</summary>
    [InRange(1, 1_000_000, ErrorMessage = SectionName + ":KeyCount must be from {1} to {2}; it is {0}.")]
    public int KeyCount { get; set; } = 1024;

    /// <summary>
    /// Without keys, how long a topic's messages stay on one partition before moving to the next
    /// (sticky partitioning; also moves after 128 KiB). 0 moves on with every message.
    /// </summary>
    [InRange(0, 60_000, ErrorMessage = SectionName + ":StickyPartitionMs must be from {1} to {2}; it is {0}.")]
    public int StickyPartitionMs { get; set; } = 10;

    /// <summary>Stop after this many messages (standalone runs); 0 runs until stopped.</summary>
    [InRange(0, double.MaxValue, ErrorMessage = SectionName + ":MessageCount must be 0 (run until stopped) or more; it is {0}.")]
    public long MessageCount { get; set; }

    /// <summary>Start with load paused.</summary>
    public bool StartPaused { get; set; }

    /// <summary>How long shutdown waits for in-flight messages to be acknowledged.</summary>
    [InRange(0, 600, ErrorMessage = SectionName + ":FlushTimeoutSeconds must be from {1} to {2}; it is {0}.")]
    public int FlushTimeoutSeconds { get; set; } = 15;

    /// <summary>Seed of the size and key choices, for reproducible runs; 0 picks one.</summary>
    public int Seed { get; set; }

    public string ResolvedInstanceId() =>
        !string.IsNullOrWhiteSpace(InstanceId) ? InstanceId
        : Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } service ? service
        : "producer";

    /// <summary>The rules the attributes cannot state: the shared rate rule, the size and topic specs, and a size that must hold the longest topic's envelope.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RateLimit.Problem(Rate) is { } rateError)
        {
            yield return new ValidationResult($"{SectionName}:Rate {rateError}");
        }

        var sizeValid = MessageSizeRange.TryParse(MessageSize, out var sizeError, out var size);
        if (!sizeValid)
        {
            yield return new ValidationResult($"{SectionName}:MessageSize: {sizeError}");
        }

        if (!TopicSpec.TryParse(Topics, out var topics, out var topicError))
        {
            yield return new ValidationResult($"{SectionName}:Topics: {topicError}");
        }
        else if (sizeValid && topics.Names.MaxBy(n => n.Length) is { } longest && EnvelopeLayout.SizeFor(longest.Length, 0) > size.Min)
        {
            yield return new ValidationResult($"{SectionName}:MessageSize: {size.Min} bytes cannot hold an envelope for topic '{longest}', which needs at least "
                + $"{EnvelopeLayout.SizeFor(longest.Length, 0)} ({EnvelopeLayout.LocationOverhead} plus the topic name).");
        }
    }
}
