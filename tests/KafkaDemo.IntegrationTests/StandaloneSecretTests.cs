using System.Text.Json;
using KafkaDemo.TestSupport;

namespace KafkaDemo.IntegrationTests;

/// <summary>Standalone runs take the HMAC secret from a file or the environment, so it stays out of <c>ps</c>.</summary>
public sealed class StandaloneSecretTests(EmbeddedCluster embedded) : IClassFixture<EmbeddedCluster>, IDisposable
{
    private const string Secret = "standalone-secret-from-a-file-0123";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string _directory = Directory.CreateTempSubdirectory("kafkademo-secret-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_producer_signs_with_a_secret_file_and_a_consumer_verifies_with_the_environment()
    {
        var topic = embedded.NewTopic(partitions: 2);
        var file = Path.Combine(_directory, "hmac-secret");
        await File.WriteAllTextAsync(file, Secret + "\n", TestContext.Current.CancellationToken);

        using (var producer = ServiceProcess.Start(
            "KafkaDemo.Producer",
            ["--count", "300", "--bootstrap-servers", embedded.BootstrapServers, "--topics", topic, "--secret-file", file],
            new Dictionary<string, string>()))
        {
            Assert.True(await producer.WaitForExitAsync(Deadline) == 0, producer.Output);
            Assert.Equal(300, Summary(producer).GetProperty("acked").GetInt64());
            Assert.DoesNotContain(Secret, producer.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("warning: --secret", producer.Output, StringComparison.Ordinal);
        }

        using var consumer = ServiceProcess.Start(
            "KafkaDemo.Consumer",
            ["--count", "300", "--bootstrap-servers", embedded.BootstrapServers, "--topics", topic, "--Aspire:Confluent:Kafka:Consumer:Config:FetchWaitMaxMs=1"],
            new Dictionary<string, string> { ["Messaging__HmacSecret"] = Secret });
        Assert.True(await consumer.WaitForExitAsync(Deadline) == 0, consumer.Output);
        var summary = Summary(consumer);
        Assert.Equal(300, summary.GetProperty("verified").GetInt64());
        Assert.Equal(0, summary.GetProperty("integrityFailures").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task The_secret_switch_still_works_and_warns_that_ps_shows_it()
    {
        var topic = embedded.NewTopic(partitions: 1);

        using var producer = ServiceProcess.Start(
            "KafkaDemo.Producer",
            ["--count", "10", "--bootstrap-servers", embedded.BootstrapServers, "--topics", topic, "--secret", Secret],
            new Dictionary<string, string>());

        Assert.True(await producer.WaitForExitAsync(Deadline) == 0, producer.Output);
        Assert.Contains("warning: --secret puts the HMAC secret on the command line", producer.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_secret_file_stops_the_run_naming_the_setting()
    {
        using var producer = ServiceProcess.Start(
            "KafkaDemo.Producer",
            ["--count", "10", "--bootstrap-servers", embedded.BootstrapServers, "--secret-file", Path.Combine(_directory, "missing")],
            new Dictionary<string, string>());

        Assert.NotEqual(0, await producer.WaitForExitAsync(Deadline));
        Assert.Contains("Messaging:HmacSecretFile", producer.Output, StringComparison.Ordinal);
    }

    /// <summary>The one JSON line a standalone run prints on standard output.</summary>
    private static JsonElement Summary(ServiceProcess run)
    {
        var line = run.Output.Split('\n').Select(l => l.Trim()).Last(l => l.StartsWith('{'));
        return JsonDocument.Parse(line).RootElement;
    }
}
