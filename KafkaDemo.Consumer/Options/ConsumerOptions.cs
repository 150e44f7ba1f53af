using System.ComponentModel.DataAnnotations;
using KafkaDemo.Messaging.Topics;
using KafkaDemo.Messaging.Validation;

namespace KafkaDemo.Consumer.Options;

/// <summary>
/// Configuration section <c>Consumer</c>, checked at start-up by <see cref="ConsumerOptionsValidator"/>:
/// the attributes, then <see cref="Validate"/> for the topic spec.
/// </summary>
public sealed class ConsumerOptions : IValidatableObject
{
    public const string SectionName = "Consumer";

    /// <summary>Name of this instance. Defaults to OTEL_SERVICE_NAME, else "consumer".</summary>
    public string InstanceId { get; set; } = "";

    /// <summary>Topics to read, in the weighted form the producer uses ("orders:3,clicks:1"); weights are ignored.</summary>
    public string Topics { get; set; } = "orders:3,clicks:1";

    /// <summary>Consumer group; instances with the same group share the partitions.</summary>
    [NotBlank(ErrorMessage = SectionName + ":GroupId must not be empty.")]
    public string GroupId { get; set; } = "kafkademo";

    /// <summary>Stop after this many verified messages (standalone runs); 0 runs until stopped.</summary>
    [InRange(0, double.MaxValue, ErrorMessage = SectionName + ":MessageCount must be 0 (run until stopped) or more; it is {0}.")]
    public long MessageCount { get; set; }

    /// <summary>Standalone runs also stop after this many seconds without a message, once something arrived.</summary>
    [InRange(1, 3600, ErrorMessage = SectionName + ":IdleExitSeconds must be from {1} to {2}; it is {0}.")]
    public int IdleExitSeconds { get; set; } = 10;

    /// <summary>
    /// Where the consumer keeps how far it has handled each partition, so that after a crash it
    /// can tell records read again from new ones. Default: kafkademo/consumer under the temp directory.
    /// </summary>
    public string StateDirectory { get; set; } = "";

    public string ResolvedStateDirectory() =>
        string.IsNullOrWhiteSpace(StateDirectory) ? Path.Combine(Path.GetTempPath(), "kafkademo", "consumer") : StateDirectory;

    public string ResolvedInstanceId() =>
        !string.IsNullOrWhiteSpace(InstanceId) ? InstanceId
        : Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } service ? service
        : "consumer";

    /// <summary>What the attributes cannot state: the topics must parse as a topic spec.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TopicSpec.TryParse(Topics, out _, out var topicError))
        {
            yield return new ValidationResult($"{SectionName}:Topics: {topicError}");
        }
    }
}
