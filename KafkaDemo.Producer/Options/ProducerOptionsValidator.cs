using Microsoft.Extensions.Options;

namespace KafkaDemo.Producer.Options;

/// <summary>
/// Checks <see cref="ProducerOptions"/> at start-up; every message names its key. The options
/// source generator writes it from the attributes and <see cref="ProducerOptions.Validate"/>.
/// </summary>
[OptionsValidator]
public sealed partial class ProducerOptionsValidator : IValidateOptions<ProducerOptions>;
