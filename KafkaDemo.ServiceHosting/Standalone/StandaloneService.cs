using KafkaDemo.Messaging.Measurement;
using Microsoft.Extensions.Hosting;

namespace KafkaDemo.ServiceHosting.Standalone;

/// <summary>
/// What a service hands <see cref="StandaloneRunner"/>: only what differs between the producer and
/// the consumer. The runner adds the rest (the switches every run has, the envelope key, the host,
/// the wait, closing the last second, the summary line and the exit code).
/// </summary>
/// <typeparam name="TSummary">The JSON line the run prints.</typeparam>
public sealed class StandaloneService<TSummary>
{
    /// <summary>
    /// The service's configuration section: <c>--count</c> sets <c>&lt;Section&gt;:MessageCount</c> and
    /// <c>--instance</c> sets <c>&lt;Section&gt;:InstanceId</c>.
    /// </summary>
    public required string Section { get; init; }

    /// <summary>The Kafka connection's name: <c>--bootstrap-servers</c> sets <c>ConnectionStrings:&lt;name&gt;</c>.</summary>
    public required string KafkaConnectionName { get; init; }

    /// <summary>The service's own short switches and the configuration keys they set.</summary>
    public required IReadOnlyDictionary<string, string> Switches { get; init; }

    /// <summary>Defaults that override appsettings.json but yield to the environment and the command line.</summary>
    public IReadOnlyDictionary<string, string?> Defaults { get; init; } = new Dictionary<string, string?>();

    /// <summary>Registers the service (the envelope key is registered already).</summary>
    public required Action<IHostApplicationBuilder> Register { get; init; }

    /// <summary>Completes when the work is done.</summary>
    public required Func<IServiceProvider, Task> Finished { get; init; }

    /// <summary>The service's measurement, whose last, partial second is closed before the summary.</summary>
    public required Func<IServiceProvider, IIntervalMeasurement> Measurement { get; init; }

    /// <summary>The summary, and whether the run succeeded.</summary>
    public required Func<IServiceProvider, (TSummary Summary, bool Success)> Summarize { get; init; }
}
