using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using KafkaDemo.TestSupport;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaDemo.AppHost.Tests.Running;

/// <summary>
/// External mode: Kafka's readiness is its health check. The resource runs at once, Unhealthy with
/// the server it tried and the error until a broker port accepts connections, and the services'
/// WaitFor holds them meanwhile. The "broker" is a TcpListener: the check is a TCP accept, and a
/// listener accepts exactly as a broker's port does.
/// </summary>
public sealed class ExternalModeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Kafka_is_unhealthy_naming_the_server_until_a_broker_listens_and_the_services_wait_until_then()
    {
        var port = FreePorts.Block(1);
        var server = $"127.0.0.1:{port}";
        await using var builder = await TestApp.CreateInModeAsync("external", $"--ConnectionStrings:kafka={server}");
        await using var app = await builder.BuildAsync(TestContext.Current.CancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Deadline);
        // Not awaited yet: StartAsync returns only once every project has been created, and a project
        // is created only after its WaitFor is satisfied (Aspire 13.6 DcpExecutor.CreateResourceReplicasAsync
        // publishes OnResourceStartingContext, whose BeforeResourceStartedEvent holds the WaitFor), so
        // it cannot finish before the broker below listens.
        var starting = app.StartAsync(deadline.Token);

        var unhealthy = await app.ResourceNotifications.WaitForResourceAsync("kafka",
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthReports.Any(r => r.Status == HealthStatus.Unhealthy), deadline.Token);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Snapshot.HealthStatus);
        var report = Assert.Single(unhealthy.Snapshot.HealthReports);
        Assert.Equal("kafka_check", report.Name);
        Assert.StartsWith($"No bootstrap server accepts a connection ({server}: ", report.Description, StringComparison.Ordinal);
        Assert.Contains("refused", report.Description, StringComparison.OrdinalIgnoreCase);

        // The consumer's WaitFor(kafka) holds it while Kafka is unhealthy, though Kafka runs.
        await app.ResourceNotifications.WaitForResourceAsync("consumer",
            e => e.Snapshot.State?.Text == KnownResourceStates.Waiting
                && e.Snapshot.Properties.FirstOrDefault(p => p.Name == "resource.waitingFor")?.Value is IEnumerable<string> names && names.Contains("kafka"),
            deadline.Token);
        Assert.Equal(KnownResourceStates.Waiting, app.ResourceNotifications.TryGetCurrentState("consumer", out var consumer) ? consumer.Snapshot.State?.Text : null);

        using var broker = new TcpListener(IPAddress.Loopback, port);
        broker.Start();
        var healthy = await app.ResourceNotifications.WaitForResourceAsync("kafka", e => e.Snapshot.HealthStatus == HealthStatus.Healthy, deadline.Token);
        Assert.Equal($"Kafka answers at {server}.", Assert.Single(healthy.Snapshot.HealthReports).Description);
        await app.ResourceNotifications.WaitForResourceAsync("consumer",
            e => e.Snapshot.State?.Text is { } state && state != KnownResourceStates.Waiting && state != KnownResourceStates.NotStarted, deadline.Token);
        // The start goes on (the producers wait for the consumer's health, which this listener cannot
        // give); it must not have failed. Disposing the app ends it.
        Assert.False(starting.IsFaulted, starting.Exception?.ToString());
    }
}
