using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.Restarts;

/// <summary>
/// A producer restarted from the dashboard, in an app of its own (the shared one counts messages
/// exactly, which a restarted producer's fresh counters would upset). The load is paused first so
/// that the counts the Overseer must carry over are final; restarts with messages in flight are
/// tested in the integration tests.
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
        overseer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestApp.ControlToken);
        using var consumer = App.CreateHttpClient("consumer");
        using var producer1 = App.CreateHttpClient("producer-1");
        await Eventually.TrueAsync(
            async () => (await ProducerStatsAsync(cancel)) is { Sent: > 2_000 },
            Deadline,
            "producer-2 never got going.");

        // Pause, so that producer-2's counts are final before it goes and the Overseer has seen them.
        using (var pause = await overseer.PutAsJsonAsync("/api/load", new LoadChange(true), cancel))
        {
            Assert.True(pause.IsSuccessStatusCode, await pause.Content.ReadAsStringAsync(cancel));
        }

        // Settled: nothing in flight, the same counts twice in a row, and the Overseer showing them.
        ProducerStats? old = null, first = null;
        (long, long) previous = (-1, -1);
        await Eventually.TrueAsync(
            async () =>
            {
                old = await ProducerStatsAsync(cancel);
                first = await producer1.GetFromJsonAsync<ProducerStats>("/api/stats", cancel);
                var counts = (first!.Sent, old?.Sent ?? -1);
                var settled = counts == previous && old is { InFlight: 0 } && first.InFlight == 0
                    && (await overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", cancel))!.Producer.Sent == first.Sent + old.Sent;
                previous = counts;
                return settled;
            },
            Deadline,
            "The paused producers did not settle, or the Overseer did not catch up with them.");
        Assert.NotNull(old);
        Assert.NotNull(first);

        var restart = await App.ResourceCommands.ExecuteCommandAsync("producer-2", "resource-restart", cancel);
        Assert.True(restart.Success, restart.Message);

        // A new process (a new epoch), sending again: it starts unpaused.
        ProducerStats? after = null;
        await Eventually.TrueAsync(
            async () => (after = await ProducerStatsAsync(cancel)) is { } s && s.Epoch != old.Epoch && s.Acked > 100,
            Deadline,
            "producer-2 did not come back as a new process sending again.");
        Assert.True(after!.Epoch > old.Epoch);

        // The Overseer names the restart, with what it carried over, and keeps those counts.
        OverseerSummary? summary = null;
        await Eventually.TrueAsync(
            async () => (summary = await overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", cancel)) is { Producer.Restarts: 1 },
            Deadline,
            () => $"The Overseer did not count the restart: {JsonSerializer.Serialize(summary?.Producer)}");
        var now = (await ProducerStatsAsync(cancel))!;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Overseer total sent {summary!.Producer.Sent}; producer-1 (paused) {first.Sent}, producer-2 before the restart {old.Sent}, after it {now.Sent}");
        Assert.InRange(summary!.Producer.Sent, first.Sent + old.Sent + 1, first.Sent + old.Sent + now.Sent);
        var run = await overseer.GetFromJsonAsync<JsonElement>("/api/run", cancel);
        Assert.Contains(
            run.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString() ?? ""),
            m => m.StartsWith($"producer-2 restarted (a new process); its earlier counts stay in the totals: {old.Sent:N0} sent", StringComparison.Ordinal));

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
