using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Kafka;

/// <summary>
/// Kafka's readiness as Aspire's WaitFor reads it: healthy once a bootstrap server accepts a TCP
/// connection (tried in order, 3 s each); unhealthy otherwise, naming every server tried and its
/// error. A TCP accept is cheap and needs no Kafka client in the AppHost; it does not prove the
/// listener speaks Kafka (in k3d mode Strimzi's Ready condition has said that already). Aspire runs it
/// only once the resource is Running, every 30 s while healthy and every 1-5 s while not
/// (Aspire 13.6 ResourceHealthCheckService). Changes are logged to the resource's console.
/// </summary>
public sealed class KafkaHealthCheck(KafkaClusterResource kafka, ILogger log) : IHealthCheck
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    private HealthStatus? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = await ProbeAsync(kafka.BootstrapServers.Current, cancellationToken);
        if (_last != result.Status)
        {
            _last = result.Status;
            log.Log(result.Status == HealthStatus.Healthy ? LogLevel.Information : LogLevel.Warning, "{Description}", result.Description);
        }

        return result;
    }

    /// <summary>Tries each server of <paramref name="bootstrap"/> in order; healthy at the first that accepts.</summary>
    public static async Task<HealthCheckResult> ProbeAsync(string? bootstrap, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(bootstrap))
        {
            return HealthCheckResult.Unhealthy("The bootstrap servers are not known yet.");
        }

        var failures = new List<string>();
        foreach (var server in bootstrap.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = server.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(server[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                failures.Add($"{server}: not host:port");
                continue;
            }

            try
            {
                using var client = new TcpClient();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(ConnectTimeout);
                await client.ConnectAsync(server[..colon].Trim('[', ']'), port, timeout.Token);
                return HealthCheckResult.Healthy($"Kafka answers at {server}.");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{server}: no answer within {ConnectTimeout.TotalSeconds:0} s");
            }
            catch (SocketException ex)
            {
                failures.Add($"{server}: {ex.Message}");
            }
        }

        return HealthCheckResult.Unhealthy($"No bootstrap server accepts a connection ({string.Join("; ", failures)}).");
    }
}
