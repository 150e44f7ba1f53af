using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.Restarts;

/// <summary>
/// A producer restarted from the dashboard while the load runs, in an app of its own (the shared
/// one counts messages exactly, which a restarted producer's fresh counters would upset).
/// </summary>
public sealed class ProducerRestartTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);
    private DistributedApplication? _app;

    private DistributedApplication App => _app ?? throw new InvalidOperationException("The app has not started.");

    public async ValueTask InitializeAsync()
    {
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var builder = await TestApp.CreateAsync("--KafkaDemo:Controller:Enabled=false", "--KafkaDemo:Rate=1000", "--KafkaDemo:Producers=2");
        _app = await builder.BuildAsync(startup.Token);
        await _app.StartAsync(startup.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("overseer", startup.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_restarted_producer_gets_a_new_epoch_its_counts_stay_in_the_totals_and_the_page_names_the_restart()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var overseer = App.CreateHttpClient("overseer");
        using var consumer = App.CreateHttpClient("consumer");
        OverseerSummary? before = null;
        await Eventually.TrueAsync(
            async () => (before = await overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", cancel)) is { Producer.Instances: 2, Producer.Sent: > 2_000 },
            Deadline,
            "The two producers never got going.");
        var epoch = (await ProducerStatsAsync(cancel))!.Epoch;

        var restart = await App.ResourceCommands.ExecuteCommandAsync("producer-2", "resource-restart", cancel);
        Assert.True(restart.Success, restart.Message);

        ProducerStats? after = null;
        await Eventually.TrueAsync(
            async () => (after = await ProducerStatsAsync(cancel)) is { } s && s.Epoch != epoch && s.Acked > 500,
            Deadline,
            "producer-2 did not come back as a new process sending again.");
        Assert.True(after!.Epoch > epoch);

        // The Overseer names the restart and keeps what the first process had sent.
        OverseerSummary? summary = null;
        await Eventually.TrueAsync(
            async () => (summary = await overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", cancel)) is { Producer.Restarts: 1 },
            Deadline,
            () => $"The Overseer did not count the restart: {JsonSerializer.Serialize(summary?.Producer)}");
        Assert.True(summary!.Producer.Sent > before!.Producer.Sent + after.Sent, "The first process's messages fell out of the total.");
        var run = await overseer.GetFromJsonAsync<JsonElement>("/api/run", cancel);
        Assert.Contains(
            run.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString() ?? ""),
            m => m.StartsWith("producer-2 restarted (a new process); its earlier counts stay in the totals", StringComparison.Ordinal));

        // The consumer saw a producer restart, and no false gap or duplicate.
        var stats = await consumer.GetFromJsonAsync<ConsumerStats>("/api/stats", cancel);
        Assert.True(stats!.ProducerRestarts >= 1, "The consumer did not see the new epoch.");
        Assert.Equal(0, stats.Gaps);
        Assert.Equal(0, stats.Duplicates);
        Assert.Equal(0, stats.IntegrityFailures.Total);
        Assert.Equal(0, summary.Consumer.Gaps);
    }

    private async Task<ProducerStats?> ProducerStatsAsync(CancellationToken cancel)
    {
        try
        {
            using var producer = App.CreateHttpClient("producer-2");
            return await producer.GetFromJsonAsync<ProducerStats>("/api/stats", cancel);
        }
        catch (HttpRequestException)
        {
            return null; // restarting
        }
    }
}
