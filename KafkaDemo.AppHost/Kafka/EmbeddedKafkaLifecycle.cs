using KafkaDemo.AppHost.Lifecycle;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Kafka;

/// <summary>
/// Embedded-mode Kafka: waits (WaitFor) for the embedded Kafka process to be healthy, then runs at
/// its fixed ports.
/// </summary>
public sealed class EmbeddedKafkaLifecycle(IHostApplicationLifetime lifetime, ILogger<EmbeddedKafkaLifecycle> appLog)
{
    public async Task StartAsync(EmbeddedKafkaResource kafka, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(e);
        // InitializeResourceEvent's token is the host's start token; stop with the app (Aspire 13.6 OrchestratorHostService.StartAsync).
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            // Aspire's WaitFor is a subscriber of this event (ApplicationOrchestrator.WaitForInBeforeResourceStartedEvent);
            // nobody else publishes it for a custom resource.
            await e.Eventing.PublishAsync(new BeforeResourceStartedEvent(kafka, e.Services), stopping.Token);
            await e.PublishRunningAsync(kafka, kafka.BootstrapServers.Current!, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // InitializeResourceEvent is published NonBlockingConcurrent: an exception thrown here would not be observed.
            await e.Notifications.FailedAsync(kafka, e.Logger, appLog, $"The embedded Kafka process is not available: {ex.Message}");
        }
    }
}
