using System.Net.Http.Json;
using Aspire.Hosting;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.Running;

/// <summary>The dashboard commands, run the way the dashboard runs them, and their effect through the services' APIs.</summary>
[Collection(SharedRunningApp.Name)]
public sealed class DashboardCommandTests(RunningApp app)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static InteractionInputCollection Inputs(params (string Name, string Value)[] values) =>
        new([.. values.Select(v => new InteractionInput { Name = v.Name, Label = v.Name, InputType = InputType.Number, Value = v.Value })]);

    private Task<ClusterState?> ClusterAsync() =>
        app.EmbeddedKafka.GetFromJsonAsync<ClusterState>("/api/cluster", TestContext.Current.CancellationToken);

    /// <summary>The messages of the events the Overseer recorded in the run.</summary>
    private async Task<List<string>> EventsAsync()
    {
        var run = await app.Overseer.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/run", TestContext.Current.CancellationToken);
        return [.. run.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString() ?? "")];
    }

    [Fact]
    public async Task Broker_latency_outage_and_clearing_work_from_the_dashboard_and_show_up_as_events()
    {
        var cancellation = TestContext.Current.CancellationToken;
        try
        {
            var latency = await app.App.ResourceCommands.ExecuteCommandAsync("kafka-embedded", "add-latency", Inputs(("ms", "15")), cancellation);
            Assert.True(latency.Success, latency.Message);
            Assert.All((await ClusterAsync())!.Brokers, b => Assert.Equal(15, b.RttMs));

            // No produce request may be in flight when the broker goes: the embedded (mock) broker
            // does not deduplicate retried batches of non-transactional producers, and the other
            // tests of this app expect no duplicates. Pausing the load from the dashboard drains it.
            Assert.True((await app.App.ResourceCommands.ExecuteCommandAsync("overseer", "pause-load", cancellation)).Success);
            await Eventually.TrueAsync(
                async () => (await app.Producer.GetFromJsonAsync<ProducerStats>("/api/stats", cancellation))!.InFlight == 0
                    && (await app.Producer2.GetFromJsonAsync<ProducerStats>("/api/stats", cancellation))!.InFlight == 0,
                Deadline,
                "Messages stayed in flight while paused.");
            // The test holds the outage until it has seen it, then shortens it: a short outage from
            // the start can end before a slow machine reads the state. A second broker-down replaces
            // the running outage (FaultInjector.TakeDown), so the broker still comes back on its own timer.
            var down = await app.App.ResourceCommands.ExecuteCommandAsync("kafka-embedded", "broker-down", Inputs(("broker", "2"), ("seconds", "600")), cancellation);
            Assert.True(down.Success, down.Message);
            await Eventually.TrueAsync(async () => (await ClusterAsync())!.Brokers.Single(b => b.Id == 2) is { Up: false, UpAt: not null }, Deadline, "Broker 2 was not down with a timed outage.");
            await Eventually.TrueAsync(async () => (await EventsAsync()).Any(m => m.StartsWith("Broker 2 down until ", StringComparison.Ordinal)), Deadline, "The Overseer did not see broker 2 down.");
            Assert.True((await app.App.ResourceCommands.ExecuteCommandAsync("overseer", "resume-load", cancellation)).Success);
            var shorter = await app.App.ResourceCommands.ExecuteCommandAsync("kafka-embedded", "broker-down", Inputs(("broker", "2"), ("seconds", "3")), cancellation);
            Assert.True(shorter.Success, shorter.Message);
            await Eventually.TrueAsync(async () => (await ClusterAsync())!.Brokers.Single(b => b.Id == 2).Up, Deadline, "Broker 2 did not come back after 3 s.");

            await Eventually.TrueAsync(async () =>
            {
                var messages = await EventsAsync();
                return messages.Contains("Latency on every broker 0 → 15 ms") && messages.Contains("Broker 2 up again");
            }, Deadline, "The Overseer did not record the faults as events.");
        }
        finally
        {
            var clear = await app.App.ResourceCommands.ExecuteCommandAsync("kafka-embedded", "clear-faults", cancellation);
            Assert.True(clear.Success, clear.Message);
            Assert.True((await app.App.ResourceCommands.ExecuteCommandAsync("overseer", "resume-load", cancellation)).Success);
            await app.LoadRunningAgainAsync();
        }

        Assert.All((await ClusterAsync())!.Brokers, b => Assert.Equal(0, b.RttMs));
    }

    [Fact]
    public async Task A_dashboard_command_with_bad_arguments_fails_and_changes_nothing()
    {
        var result = await app.App.ResourceCommands.ExecuteCommandAsync("kafka-embedded", "broker-down", Inputs(("broker", "9"), ("seconds", "3")), TestContext.Current.CancellationToken);

        Assert.False(result.Success);
        Assert.Contains("broker", result.Message ?? "", StringComparison.Ordinal);
        Assert.All((await ClusterAsync())!.Brokers, b => Assert.True(b.Up));
    }

    [Fact]
    public async Task Pause_and_resume_load_and_controller_on_and_off_work_from_the_dashboard()
    {
        var cancellation = TestContext.Current.CancellationToken;
        try
        {
            Assert.True((await app.App.ResourceCommands.ExecuteCommandAsync("overseer", "pause-load", cancellation)).Success);
            foreach (var producer in app.Producers)
            {
                Assert.True((await producer.GetFromJsonAsync<LoadSettings>("/api/rate", cancellation))!.Paused);
            }

            Assert.True((await app.App.ResourceCommands.ExecuteCommandAsync("overseer", "resume-load", cancellation)).Success);
            foreach (var producer in app.Producers)
            {
                Assert.False((await producer.GetFromJsonAsync<LoadSettings>("/api/rate", cancellation))!.Paused);
            }

            Assert.True((await app.App.ResourceCommands.ExecuteCommandAsync("overseer", "controller-on", cancellation)).Success);
            Assert.True((await app.Overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", cancellation))!.Controller.Enabled);
        }
        finally
        {
            Assert.True((await app.App.ResourceCommands.ExecuteCommandAsync("overseer", "controller-off", cancellation)).Success);
            Assert.True((await app.App.ResourceCommands.ExecuteCommandAsync("overseer", "resume-load", cancellation)).Success);
            await app.LoadRunningAgainAsync();
        }

        Assert.False((await app.Overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", cancellation))!.Controller.Enabled);
    }
}
