using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaDemo.ServiceDefaults.Kafka;

/// <summary>
/// Healthy when a metadata request to the cluster succeeds and lists at least one broker.
/// Unlike producing to a health topic, it writes nothing and needs no topic to exist.
/// </summary>
internal sealed class KafkaHealthCheck : IHealthCheck, IDisposable
{
    private static readonly string[] ConnectionKeyPrefixes =
        ["bootstrap.servers", "security.", "sasl.", "ssl.", "client.id", "socket.", "broker.address.family", "client.dns.lookup"];

    private readonly Lazy<IAdminClient> _admin;
    private readonly TimeSpan _timeout;

    public KafkaHealthCheck(ClientConfig clientConfig, TimeSpan timeout)
    {
        // Only connection settings: producer or consumer keys would make librdkafka warn on an admin client.
        var adminConfig = new AdminClientConfig(
            clientConfig
                .Where(kv => ConnectionKeyPrefixes.Any(p => kv.Key.StartsWith(p, StringComparison.Ordinal)))
                .ToDictionary(kv => kv.Key, kv => kv.Value));
        adminConfig.SocketTimeoutMs = (int)timeout.TotalMilliseconds;
        adminConfig.Set("log_level", "3");
        _admin = new Lazy<IAdminClient>(() => new AdminClientBuilder(adminConfig).SetLogHandler((_, _) => { }).Build());
        _timeout = timeout;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // GetMetadata blocks; keep it off the request thread.
            var metadata = await Task.Run(() => _admin.Value.GetMetadata(_timeout), cancellationToken);
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s) answered.")
                : new HealthCheckResult(context.Registration.FailureStatus, "The cluster answered with no brokers.");
        }
        catch (KafkaException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The Kafka metadata request failed.", ex);
        }
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
