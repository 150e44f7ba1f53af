using KafkaDemo.TestSupport;

namespace KafkaDemo.IntegrationTests;

/// <summary>
/// Each service, started as the AppHost starts it (not standalone), refuses bad configuration before
/// it serves anything: its options are validated at start (ValidateOnStart) and the message names the key.
/// </summary>
public sealed class StartupValidationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string> Environment = new()
    {
        ["Messaging__HmacSecret"] = "startup-validation-secret-0123456789",
        ["ConnectionStrings__kafka"] = "127.0.0.1:1",
        // The Overseer reads its own section first; with a fleet, the sections after it are reached.
        ["Overseer__Producers__0"] = "http://127.0.0.1:1",
        ["Overseer__Consumers__0"] = "http://127.0.0.1:2",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "KafkaDemo.Producer", "--Producer:KeyCount=0", "Producer:KeyCount must be from 1 to 1000000; it is 0." },
        { "KafkaDemo.Producer", "--Producer:Topics=no good", "Producer:Topics:" },
        { "KafkaDemo.Consumer", "--Consumer:IdleExitSeconds=0", "Consumer:IdleExitSeconds must be from 1 to 3600; it is 0." },
        { "KafkaDemo.EmbeddedKafka", "--EmbeddedKafka:Partitions=0", "EmbeddedKafka:Partitions must be from 1 to 1000; it is 0." },
        { "KafkaDemo.EmbeddedKafka", "--Control:Token=short", "The control token (Control:Token) must be at least 16 bytes; it has 5." },
        { "KafkaDemo.Overseer", "--Overseer:PollIntervalMs=5", "Overseer:PollIntervalMs must be from 100 to 10000; it is 5." },
        { "KafkaDemo.Overseer", "--Overseer:BrokerMetrics:Port=0", "Overseer:BrokerMetrics:Port must be from 1 to 65535; it is 0." },
        { "KafkaDemo.Overseer", "--Overseer:Agent:IntervalSeconds=1", "Overseer:Agent:IntervalSeconds must be from 10 to 86400; it is 1." },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_service_refuses_bad_configuration_at_start_naming_the_key(string project, string argument, string expected)
    {
        using var service = ServiceProcess.Start(project, [argument], Environment);

        Assert.NotEqual(0, await service.WaitForExitAsync(Deadline));
        Assert.Contains(expected, service.Output, StringComparison.Ordinal);
    }
}
