using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace KafkaDemo.EmbeddedKafka.Cluster;

/// <summary>
/// Runs the <see cref="EmbeddedKafkaCluster"/> for the lifetime of the host, prints its bootstrap
/// servers, and reports it healthy once the brokers are listening.
/// </summary>
public sealed partial class EmbeddedKafkaService(
    IOptions<EmbeddedKafkaOptions> options,
    ILogger<EmbeddedKafkaCluster> clusterLogger,
    ILogger<EmbeddedKafkaService> logger) : IHostedService, IHealthCheck, IDisposable
{
    /// <summary>Prefix of the line printed to standard output for scripts to read.</summary>
    public const string BootstrapLinePrefix = "KAFKA_BOOTSTRAP_SERVERS=";

    private EmbeddedKafkaCluster? _cluster;

    /// <summary>The running cluster.</summary>
    /// <exception cref="InvalidOperationException">The host has not started it yet.</exception>
    public EmbeddedKafkaCluster Cluster => _cluster ?? throw new InvalidOperationException("The embedded Kafka has not started.");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        _cluster = EmbeddedKafkaCluster.Start(settings, clusterLogger);
        LogReady(logger, _cluster.BrokerCount, EmbeddedKafkaCluster.LibrdkafkaVersion, _cluster.BootstrapServers, settings.Topics);
        Console.Out.WriteLine(BootstrapLinePrefix + _cluster.BootstrapServers);
        Console.Out.Flush();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_cluster is null
            ? HealthCheckResult.Unhealthy("The embedded Kafka has not started.")
            : HealthCheckResult.Healthy($"Listening on {_cluster.BootstrapServers}."));

    public void Dispose()
    {
        Interlocked.Exchange(ref _cluster, null)?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded Kafka ready: {Brokers} broker(s), librdkafka {Version}, bootstrap servers {BootstrapServers}, topics {Topics}")]
    private static partial void LogReady(ILogger logger, int brokers, string version, string bootstrapServers, string topics);
}
