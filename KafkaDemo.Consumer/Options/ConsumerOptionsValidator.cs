using Microsoft.Extensions.Options;

namespace KafkaDemo.Consumer.Options;

/// <summary>
/// Checks <see cref="ConsumerOptions"/> at start-up; every message names its key. The options
/// source generator writes it from the attributes and <see cref="ConsumerOptions.Validate"/>.
/// </summary>
[OptionsValidator]
public sealed partial class ConsumerOptionsValidator : IValidateOptions<ConsumerOptions>;
