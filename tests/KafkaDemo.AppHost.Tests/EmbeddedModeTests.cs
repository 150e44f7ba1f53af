using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using KafkaDemo.Messaging.Contracts;

namespace KafkaDemo.AppHost.Tests;

/// <summary>The whole application, started by Aspire.Hosting.Testing in embedded mode.</summary>
public sealed class EmbeddedModeTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Verified_messages_flow_end_to_end_with_no_integrity_failure_or_gap()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var builder = await TestApp.CreateAsync();
        await using var app = await builder.BuildAsync(cancellation);
        await app.StartAsync(cancellation);

        using var startup = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        startup.CancelAfter(StartDeadline);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("producer", startup.Token);

        using var consumer = app.CreateHttpClient("consumer");
        ConsumerStats? stats = null;
        while (stats is not { Verified: > 1000 })
        {
            await Task.Delay(500, startup.Token);
            stats = await consumer.GetFromJsonAsync<ConsumerStats>("/api/stats", startup.Token);
        }

        Assert.Equal(0, stats.IntegrityFailures.Total);
        Assert.Equal(0, stats.Gaps);
        Assert.Equal(0, stats.Duplicates);
        Assert.True(stats.LatencyMs.Last10s.Count > 0, "The consumer measured no latency.");

        using var producer = app.CreateHttpClient("producer");
        var sent = await producer.GetFromJsonAsync<ProducerStats>("/api/stats", cancellation);
        Assert.NotNull(sent);
        Assert.True(sent.Acked >= stats.Verified - 100, $"Verified {stats.Verified} but only {sent.Acked} acknowledged.");
        Assert.Equal(0, sent.Failed);
    }
}
