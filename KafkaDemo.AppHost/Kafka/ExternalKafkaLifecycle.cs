using KafkaDemo.AppHost.Lifecycle;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Kafka;

/// <summary>
/// External-mode Kafka: nothing to bring up, so it runs at once; whether a broker answers is its
/// health check (<see cref="KafkaHealthCheck"/>), Unhealthy with the servers tried and their errors
/// until one does.
/// </summary>
public sealed class ExternalKafkaLifecycle(IHostApplicationLifetime lifetime, ILogger<ExternalKafkaLifecycle> appLog)
{
    public async Task StartAsync(ExternalKafkaResource kafka, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(e);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            await e.Eventing.PublishAsync(new BeforeResourceStartedEvent(kafka, e.Services), stopping.Token);
            e.Logger.LogInformation("Kafka is outside this AppHost, at {Bootstrap}; its health check says whether a broker answers.", kafka.BootstrapServers.Current);
            await e.PublishRunningAsync(kafka, kafka.BootstrapServers.Current!, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            await e.Notifications.FailedAsync(kafka, e.Logger, appLog, ex.Message);
        }
    }
}
