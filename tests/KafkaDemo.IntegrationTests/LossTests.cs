extern alias embedded;

using System.Globalization;
using System.Net.Http.Json;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using embedded::KafkaDemo.EmbeddedKafka.Cluster;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaDemo.IntegrationTests;

/// <summary>
/// A consumer falls behind the embedded broker's retention, so records are removed before it
/// reads them: the Overseer's summary and run export show them as lost, not as gaps. The
/// services run as processes (the Overseer polls them over HTTP); the broker, with a 1 s
/// retention, in this process.
/// </summary>
public sealed class LossTests : IAsyncLifetime
{
    private const string Topic = "lost";
    private const int Partitions = 3;
    private const string SigCont = "-CONT";
    private const string SigStop = "-STOP";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _state = Directory.CreateTempSubdirectory("kafkademo-lost-").FullName;
    private readonly string _group = $"it-lost-{Guid.NewGuid():N}";
    private readonly List<ServiceProcess> _processes = [];
    private EmbeddedKafkaService? _kafka;
    private LogRetention? _retention;

    private string Bootstrap => _kafka!.Cluster.BootstrapServers;

    public async ValueTask InitializeAsync()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new EmbeddedKafkaOptions
        {
            Port = 0,
            Brokers = 1,
            ReplicationFactor = 1,
            Topics = Topic,
            Partitions = Partitions,
            RetentionSeconds = 1,
        });
        _kafka = new EmbeddedKafkaService(options, NullLogger<EmbeddedKafkaCluster>.Instance, NullLogger<EmbeddedKafkaService>.Instance);
        await _kafka.StartAsync(TestContext.Current.CancellationToken);
        _retention = new LogRetention(_kafka, options, TimeProvider.System, NullLogger<LogRetention>.Instance);
        await _retention.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.Dispose(); // SIGKILL ends a stopped process too
        }

        if (_retention is not null)
        {
            await _retention.StopAsync(CancellationToken.None);
            _retention.Dispose();
        }

        if (_kafka is not null)
        {
            await _kafka.StopAsync(CancellationToken.None);
            _kafka.Dispose();
        }

        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task A_consumer_that_falls_behind_the_retention_shows_its_loss_in_the_overseers_summary_and_export()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Stopping the consumer uses SIGSTOP (Linux).");
        var cancel = TestContext.Current.CancellationToken;
        var consumer = await StartConsumerAsync();
        var overseer = await StartPipelineAsync(consumer);

        // The consumer stops (SIGSTOP: it cannot fetch) while the producer goes on. Once retention
        // has removed records it had not even fetched, it goes on (SIGCONT).
        var removed = await StopUntilRemovedAsync(consumer);

        // What it could not read is lost, in the Overseer's totals and its last 10 s; not a gap.
        OverseerSummary? summary = null;
        await Eventually.TrueAsync(
            async () => (summary = await overseer.Http.GetFromJsonAsync<OverseerSummary>("/api/summary", cancel)) is { Consumer.Lost: > 0 },
            Deadline,
            "The Overseer's summary never showed the lost records.");
        Assert.True(summary!.Consumer.Lost >= removed, $"At least {removed} records were removed unread; the summary says {summary.Consumer.Lost} lost.");
        Assert.True(summary.Consumer.LostLast10s > 0, "The loss is not in the summary's last 10 s.");
        Assert.Equal(0, summary.Consumer.Gaps);
        Assert.Equal(0, summary.Consumer.IntegrityFailures);

        // The consumer counted it itself, and the figure survives in its stats as the Overseer read them.
        var stats = await consumer.Http.GetFromJsonAsync<ConsumerStats>("/api/stats", cancel);
        Assert.True(stats!.Lost >= summary.Consumer.Lost, $"The consumer says {stats.Lost} lost; the Overseer {summary.Consumer.Lost}.");

        // The run export: the total, and per interval (1 s here) the same records.
        await Eventually.TrueAsync(
            async () =>
            {
                var run = await overseer.Http.GetFromJsonAsync<JsonObject>("/api/run", cancel);
                var total = run!["lostTotal"]!.GetValue<long>();
                var perInterval = run["lost"]!.AsArray().Sum(v => v!.GetValue<long>());
                return total >= removed && perInterval == total;
            },
            Deadline,
            "The run export does not give the lost records, in all and per interval.");
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"removed unread at least {removed}; summary lost {summary.Consumer.Lost} (last 10 s {summary.Consumer.LostLast10s}); consumer lost {stats.Lost}, truncated {stats.Truncated}, gaps {stats.Gaps}"));
    }

    [Fact]
    public async Task Records_removed_while_a_consumer_was_down_are_lost_when_it_comes_back()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Stopping the consumer uses SIGSTOP (Linux).");
        var cancel = TestContext.Current.CancellationToken;
        var first = await StartConsumerAsync();
        var overseer = await StartPipelineAsync(first);

        // Killed (SIGKILL), the consumer leaves its committed offsets and its read positions. It
        // stays dead until retention has removed records after what it handled.
        first.Kill();
        var highs = Watermarks().Select(w => w.High.Value).ToArray();
        await Eventually.TrueAsync(
            () => Task.FromResult(Watermarks().Select((w, p) => w.Low.Value > highs[p] + 1).All(removedPastIt => removedPastIt)),
            Deadline,
            "Retention did not remove the records after the killed consumer's position.");
        var removed = Watermarks().Select((w, p) => w.Low.Value - highs[p] - 1).Sum();

        // The same instance again, on the same port (the Overseer polls it there): it resumes each
        // partition where its previous run left off, finds the log starting later, and counts the
        // difference as lost. Its streams are new, so nothing could be judged per stream
        // (truncated), and nothing is a gap.
        await StartConsumerAsync(first.Port);
        OverseerSummary? summary = null;
        await Eventually.TrueAsync(
            async () => (summary = await overseer.Http.GetFromJsonAsync<OverseerSummary>("/api/summary", cancel)) is { Consumer: { Restarts: 1, Lost: > 0 } },
            Deadline,
            "The Overseer never showed the records removed while the consumer was down.");
        Assert.True(summary!.Consumer.Lost >= removed, $"At least {removed} records were removed after the killed consumer's position; the summary says {summary.Consumer.Lost} lost.");
        Assert.Equal(0, summary.Consumer.Gaps);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"removed after the killed consumer's position at least {removed}; summary lost {summary.Consumer.Lost}, gaps {summary.Consumer.Gaps}, restarts {summary.Consumer.Restarts}"));
    }

    /// <summary>Starts the producer and the Overseer, and waits until the Overseer sees messages verified.</summary>
    private async Task<ServiceProcess> StartPipelineAsync(ServiceProcess consumer)
    {
        var producer = Start("KafkaDemo.Producer", "it-lost-producer",
        [
            $"--ConnectionStrings:kafka={Bootstrap}",
            $"--Producer:Topics={Topic}",
            "--Producer:Rate=1500",
            "--Producer:InstanceId=it-lost-producer",
        ]);
        await producer.WaitHealthyAsync(Deadline);
        var overseer = Start("KafkaDemo.Overseer", "it-lost-overseer",
        [
            $"--ConnectionStrings:kafka={Bootstrap}",
            "--Overseer:Mode=embedded",
            $"--Overseer:Producers:0=http://127.0.0.1:{producer.Port}",
            $"--Overseer:Consumers:0=http://127.0.0.1:{consumer.Port}",
            "--Overseer:Controller:Enabled=false",
            "--Overseer:ExportIntervalSeconds=1",
        ]);
        await overseer.WaitHealthyAsync(Deadline);
        await Eventually.TrueAsync(
            async () => (await overseer.Http.GetFromJsonAsync<OverseerSummary>("/api/summary", TestContext.Current.CancellationToken)) is { Consumer.Verified: > 2_000 },
            Deadline,
            "The Overseer never saw messages verified.");
        return overseer;
    }

    /// <summary>Stops the consumer until retention has removed records it had not fetched; returns at least how many.</summary>
    private async Task<long> StopUntilRemovedAsync(ServiceProcess consumer)
    {
        Signal(consumer, SigStop);
        try
        {
            // Nothing beyond the end offsets at this moment can be in its fetch queue.
            var highs = Watermarks().Select(w => w.High.Value).ToArray();
            await Eventually.TrueAsync(
                () => Task.FromResult(Watermarks().Select((w, p) => w.Low.Value > highs[p] + 1).All(removedPastIt => removedPastIt)),
                Deadline,
                "Retention did not remove the records after the stopped consumer's position.");
            return Watermarks().Select((w, p) => w.Low.Value - highs[p] - 1).Sum();
        }
        finally
        {
            Signal(consumer, SigCont);
        }
    }

    /// <summary>Starts the consumer and waits until it is in its group; on <paramref name="port"/>, it is not waited for (its <see cref="ServiceProcess.Http"/> points elsewhere).</summary>
    private async Task<ServiceProcess> StartConsumerAsync(int? port = null)
    {
        var consumer = Start("KafkaDemo.Consumer", "it-lost-consumer",
        [
            .. port is { } fixedPort ? [$"--urls=http://127.0.0.1:{fixedPort}"] : Array.Empty<string>(), // the last --urls wins
            $"--ConnectionStrings:kafka={Bootstrap}",
            $"--Consumer:Topics={Topic}",
            $"--Consumer:GroupId={_group}",
            "--Consumer:InstanceId=it-lost-consumer",
            $"--Consumer:StateDirectory={_state}",
            "--Aspire:Confluent:Kafka:Consumer:Config:FetchWaitMaxMs=1",
            // A killed member leaves no goodbye: its successor waits out the session. 6 s, Kafka's minimum.
            "--Aspire:Confluent:Kafka:Consumer:Config:SessionTimeoutMs=6000",
            "--Aspire:Confluent:Kafka:Consumer:Config:HeartbeatIntervalMs=1000",
        ]);
        if (port is null)
        {
            await consumer.WaitHealthyAsync(Deadline);
        }

        return consumer;
    }

    private ServiceProcess Start(string project, string name, string[] arguments)
    {
        var process = ServiceProcess.Start(project, arguments, new Dictionary<string, string>
        {
            ["Messaging__HmacSecret"] = DemoServices.Secret,
            ["Logging__LogLevel__Default"] = "Warning",
            ["OTEL_SERVICE_NAME"] = name,
        });
        _processes.Add(process);
        return process;
    }

    private WatermarkOffsets[] Watermarks()
    {
        using var reader = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = "it-lost-watermarks" }).Build();
        return [.. Enumerable.Range(0, Partitions).Select(p => reader.QueryWatermarkOffsets(new TopicPartition(Topic, p), TimeSpan.FromSeconds(5)))];
    }

    /// <summary>Sends a signal with kill(1): SIGSTOP freezes the process (it neither fetches nor answers) until SIGCONT.</summary>
    private static void Signal(ServiceProcess process, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [signal, process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start.");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill {signal} {process.Id} exited with {kill.ExitCode}.");
        }
    }
}
