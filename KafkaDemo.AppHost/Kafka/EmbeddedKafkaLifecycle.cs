using KafkaDemo.AppHost.Lifecycle;

namespace KafkaDemo.AppHost.Kafka;

/// <summary>
/// Embedded-mode Kafka: waits (WaitFor) for the embedded Kafka process to be healthy, then runs at
/// its fixed ports.
/// </summary>
public sealed class EmbeddedKafkaLifecycle(DependencyGate gate)
{
    public Task StartAsync(EmbeddedKafkaResource kafka, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(e);
        return gate.PassOnceAsync(e, token => e.PublishRunningAsync(kafka, kafka.BootstrapServers.Current!, token),
            "The embedded Kafka process is not available", cancellationToken);
    }
}
