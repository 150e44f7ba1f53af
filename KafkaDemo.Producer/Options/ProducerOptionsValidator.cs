using KafkaDemo.Messaging.Envelopes;
using KafkaDemo.Messaging.Limits;
using KafkaDemo.Messaging.Topics;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Producer.Options;

/// <summary>Checks <see cref="ProducerOptions"/> at start-up; every message names its key.</summary>
public sealed class ProducerOptionsValidator : IValidateOptions<ProducerOptions>
{
    public ValidateOptionsResult Validate(string? name, ProducerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = ProducerOptions.SectionName;
        var failures = new List<string>();

        if (RateLimit.Problem(options.Rate) is { } rateError)
        {
            failures.Add($"{S}:Rate {rateError}");
        }

        var sizeValid = MessageSizeRange.TryParse(options.MessageSize, out var sizeError, out var size);
        if (!sizeValid)
        {
            failures.Add($"{S}:MessageSize: {sizeError}");
        }

        if (!TopicSpec.TryParse(options.Topics, out var topics, out var topicError))
        {
            failures.Add($"{S}:Topics: {topicError}");
        }
        else if (sizeValid && topics.Names.MaxBy(n => n.Length) is { } longest && EnvelopeLayout.SizeFor(longest.Length, 0) > size.Min)
        {
            failures.Add($"{S}:MessageSize: {size.Min} bytes cannot hold an envelope for topic '{longest}', which needs at least "
                + $"{EnvelopeLayout.SizeFor(longest.Length, 0)} ({EnvelopeLayout.LocationOverhead} plus the topic name).");
        }

        if (!Enum.IsDefined(options.Keys))
        {
            failures.Add($"{S}:Keys must be one of {string.Join(", ", Enum.GetNames<KeyStrategy>())}.");
        }

        if (options.KeyCount is < 1 or > 1_000_000)
        {
            failures.Add($"{S}:KeyCount must be from 1 to 1000000; it is {options.KeyCount}.");
        }

        if (options.StickyPartitionMs is < 0 or > 60_000)
        {
            failures.Add($"{S}:StickyPartitionMs must be from 0 to 60000; it is {options.StickyPartitionMs}.");
        }

        if (options.MessageCount < 0)
        {
            failures.Add($"{S}:MessageCount must be 0 (run until stopped) or more; it is {options.MessageCount}.");
        }

        if (options.FlushTimeoutSeconds is < 0 or > 600)
        {
            failures.Add($"{S}:FlushTimeoutSeconds must be from 0 to 600; it is {options.FlushTimeoutSeconds}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
