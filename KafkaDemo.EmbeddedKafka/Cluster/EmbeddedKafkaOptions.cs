using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;
using KafkaDemo.Messaging.Limits;
using KafkaDemo.Messaging.Topics;
using KafkaDemo.Messaging.Validation;
using Microsoft.Extensions.Options;

namespace KafkaDemo.EmbeddedKafka.Cluster;

/// <summary>
/// Configuration section <c>EmbeddedKafka</c>, checked at start-up by <see cref="EmbeddedKafkaOptionsValidator"/>:
/// the attributes, then <see cref="Validate"/> for what they cannot say.
/// </summary>
public sealed class EmbeddedKafkaOptions : IValidatableObject
{
    public const string SectionName = "EmbeddedKafka";

    /// <summary>IPv4 address the brokers listen on and advertise.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port of broker 1; broker n listens on <c>Port + n - 1</c>. 0 lets librdkafka pick free ports.</summary>
    [InRange(0, IPEndPoint.MaxPort, ErrorMessage = SectionName + ":Port must be from {1} (ephemeral ports) to {2}; it is {0}.")]
    public int Port { get; set; } = 9092;

    /// <summary>Number of brokers.</summary>
    [InRange(1, ClusterLimits.MaxBrokers, ErrorMessage = SectionName + ":Brokers must be from {1} to {2}; it is {0}.")]
    public int Brokers { get; set; } = 3;

    /// <summary>Topics to create, in the <see cref="TopicSpec"/> form (weights are ignored here).</summary>
    public string Topics { get; set; } = "orders:3,clicks:1";

    /// <summary>Partitions per topic.</summary>
    [InRange(1, ClusterLimits.MaxPartitions, ErrorMessage = SectionName + ":Partitions must be from {1} to {2}; it is {0}.")]
    public int Partitions { get; set; } = 6;

    /// <summary>Replicas per partition; at most <see cref="Brokers"/>.</summary>
    [InRange(1, ClusterLimits.MaxBrokers, ErrorMessage = SectionName + ":ReplicationFactor must be from {1} to {2}; it is {0}.")]
    public int ReplicationFactor { get; set; } = 3;

    /// <summary>
    /// How long a classic consumer group waits for more members before its first rebalance.
    /// Kafka's default is 3000 ms; 0 makes consumers start at once.
    /// </summary>
    [InRange(0, 60_000, ErrorMessage = SectionName + ":GroupInitialRebalanceDelayMs must be from {1} to {2}; it is {0}.")]
    public int GroupInitialRebalanceDelayMs { get; set; }

    /// <summary>
    /// Records older than this many seconds are deleted; 0 keeps librdkafka's own limit (5 MiB or
    /// 100,000 message sets per partition). librdkafka's mock broker finds a fetch offset by walking
    /// a partition's message sets from the oldest, so a long log costs CPU on every fetch: a short
    /// time-based retention keeps the broker fast. Consumers that fall further behind than this see
    /// truncation, which they report as such.
    /// </summary>
    [InRange(0, 86_400, ErrorMessage = SectionName + ":RetentionSeconds must be from {1} to {2}; it is {0}.")]
    public int RetentionSeconds { get; set; } = 5;

    /// <summary>
    /// Every this many seconds the memory the brokers freed (their log's oldest records) is given
    /// back to the system with glibc's <c>malloc_trim</c>; 0 never. See <see cref="NativeMemoryTrim"/>.
    /// </summary>
    [InRange(0, 3_600, ErrorMessage = SectionName + ":TrimIntervalSeconds must be from {1} (never) to {2}; it is {0}.")]
    public int TrimIntervalSeconds { get; set; } = 1;

    /// <summary>librdkafka debug contexts for the broker's own log (for example "mock,broker"); empty for none.</summary>
    public string Debug { get; set; } = "";

    /// <summary>The brokers' ports, in broker id order, or zeros for ephemeral ports.</summary>
    public IEnumerable<int> BrokerPorts() => Enumerable.Range(0, Brokers).Select(i => Port == 0 ? 0 : Port + i);

    /// <summary>The rules the attributes cannot state: an IPv4 address, settings checked against each other, and the topic spec.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(Host, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
        {
            yield return new ValidationResult($"{SectionName}:Host: '{Host}' is not an IPv4 address.");
        }

        if (ReplicationFactor > Brokers)
        {
            yield return new ValidationResult(
                $"{SectionName}:ReplicationFactor: {ReplicationFactor} is more than the {Brokers} broker(s) of {SectionName}:Brokers.");
        }

        if (Port != 0 && Port + Brokers - 1 > IPEndPoint.MaxPort)
        {
            yield return new ValidationResult($"{SectionName}:Port: {Port} leaves no room for {Brokers} consecutive ports.");
        }

        if (!TopicSpec.TryParse(Topics, out _, out var topicError))
        {
            yield return new ValidationResult($"{SectionName}:Topics: {topicError}");
        }
    }
}

/// <summary>
/// Checks <see cref="EmbeddedKafkaOptions"/> at start-up, naming the key at fault. The options
/// source generator writes it from the attributes and <see cref="EmbeddedKafkaOptions.Validate"/>.
/// </summary>
[OptionsValidator]
public sealed partial class EmbeddedKafkaOptionsValidator : IValidateOptions<EmbeddedKafkaOptions>;
