using KafkaDemo.Messaging.Topics;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Consumer.Options;

/// <summary>Checks <see cref="ConsumerOptions"/> at start-up; every message names its key.</summary>
public sealed class ConsumerOptionsValidator : IValidateOptions<ConsumerOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsumerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = ConsumerOptions.SectionName;
        var failures = new List<string>();
        if (!TopicSpec.TryParse(options.Topics, out _, out var topicError))
        {
            failures.Add($"{S}:Topics: {topicError}");
        }

        if (string.IsNullOrWhiteSpace(options.GroupId))
        {
            failures.Add($"{S}:GroupId must not be empty.");
        }

        if (options.MessageCount < 0)
        {
            failures.Add($"{S}:MessageCount must be 0 (run until stopped) or more; it is {options.MessageCount}.");
        }

        if (options.IdleExitSeconds is < 1 or > 3600)
        {
            failures.Add($"{S}:IdleExitSeconds must be from 1 to 3600; it is {options.IdleExitSeconds}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
