using System.ComponentModel.DataAnnotations;
using System.Net;
using KafkaDemo.Messaging.Topics;
using Microsoft.Extensions.Options;

namespace KafkaDemo.EmbeddedKafka.Cluster;

/// <summary>Configuration section <c>EmbeddedKafka</c>.</summary>
public sealed class EmbeddedKafkaOptions
{
    public const string SectionName = "EmbeddedKafka";

    /// <summary>IPv4 address the brokers listen on and advertise.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port of broker 1; broker n listens on <c>Port + n - 1</c>. 0 lets librdkafka pick free ports.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 9092;

    /// <summary>Number of brokers.</summary>
    [Range(1, 9)]
    public int Brokers { get; set; } = 3;

    /// <summary>Topics to create, in the <see cref="TopicSpec"/> form (weights are ignored here).</summary>
    public string Topics { get; set; } = "orders:3,clicks:1";

    /// <summary>Partitions per topic.</summary>
    [Range(1, 1000)]
    public int Partitions { get; set; } = 6;

    /// <summary>Replicas per partition; at most <see cref="Brokers"/>.</summary>
    [Range(1, 9)]
    public int ReplicationFactor { get; set; } = 3;

    /// <summary>
    /// How long a classic consumer group waits for more members before its first rebalance.
    /// Kafka's default is 3000 ms; 0 makes consumers start at once.
    /// </summary>
    [Range(0, 60_000)]
    public int GroupInitialRebalanceDelayMs { get; set; }

    /// <summary>
    /// Records older than this many seconds are deleted; 0 keeps librdkafka's own limit (5 MiB or
    /// 100,000 message sets per partition). librdkafka's mock broker finds a fetch offset by walking
    /// a partition's message sets from the oldest, so a long log costs CPU on every fetch: a short
    /// time-based retention keeps the broker fast. Consumers that fall further behind than this see
    /// truncation, which they report as such.
    /// </summary>
    [Range(0, 86_400)]
    public int RetentionSeconds { get; set; } = 5;

    /// <summary>librdkafka debug contexts for the broker's own log (for example "mock,broker"); empty for none.</summary>
    public string Debug { get; set; } = "";

    /// <summary>The brokers' ports, in broker id order, or zeros for ephemeral ports.</summary>
    public IEnumerable<int> BrokerPorts() => Enumerable.Range(0, Brokers).Select(i => Port == 0 ? 0 : Port + i);
}

/// <summary>Checks <see cref="EmbeddedKafkaOptions"/> at start-up, naming the key at fault.</summary>
public sealed class EmbeddedKafkaOptionsValidator : IValidateOptions<EmbeddedKafkaOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddedKafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r =>
                $"{EmbeddedKafkaOptions.SectionName}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }

        if (!IPAddress.TryParse(options.Host, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            failures.Add($"{EmbeddedKafkaOptions.SectionName}:Host: '{options.Host}' is not an IPv4 address.");
        }

        if (options.ReplicationFactor > options.Brokers)
        {
            failures.Add(
                $"{EmbeddedKafkaOptions.SectionName}:ReplicationFactor: {options.ReplicationFactor} is more than the "
                + $"{options.Brokers} broker(s) of {EmbeddedKafkaOptions.SectionName}:Brokers.");
        }

        if (options.Port != 0 && options.Port + options.Brokers - 1 > 65535)
        {
            failures.Add($"{EmbeddedKafkaOptions.SectionName}:Port: {options.Port} leaves no room for {options.Brokers} consecutive ports.");
        }

        if (!TopicSpec.TryParse(options.Topics, out _, out var topicError))
        {
            failures.Add($"{EmbeddedKafkaOptions.SectionName}:Topics: {topicError}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
