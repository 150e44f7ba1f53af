using KafkaDemo.AppHost.Lifecycle;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Kafka;

/// <summary>
/// External-mode Kafka: nothing to bring up, so it runs at once; whether a broker answers is its
/// health check (<see cref="KafkaHealthCheck"/>), Unhealthy with the servers tried and their errors
/// until one does.
/// </summary>
public sealed class ExternalKafkaLifecycle(DependencyGate gate)
{
    public Task StartAsync(ExternalKafkaResource kafka, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(e);
        return gate.PassOnceAsync(e, token =>
        {
            e.Logger.LogInformation("Kafka is outside this AppHost, at {Bootstrap}; its health check says whether a broker answers.", kafka.BootstrapServers.Current);
            return e.PublishRunningAsync(kafka, kafka.BootstrapServers.Current!, token);
        }, "Kafka is not available", cancellationToken);
    }
}
