namespace KafkaDemo.Consumer.Options;

/// <summary>Configuration section <c>Consumer</c>.</summary>
public sealed class ConsumerOptions
{
    public const string SectionName = "Consumer";

    /// <summary>Name of this instance. Defaults to OTEL_SERVICE_NAME, else "consumer".</summary>
    public string InstanceId { get; set; } = "";

    /// <summary>Topics to read, in the weighted form the producer uses ("orders:3,clicks:1"); weights are ignored.</summary>
    public string Topics { get; set; } = "orders:3,clicks:1";

    /// <summary>Consumer group; instances with the same group share the partitions.</summary>
    public string GroupId { get; set; } = "kafkademo";

    /// <summary>Stop after this many verified messages (standalone runs); 0 runs until stopped.</summary>
    public long MessageCount { get; set; }

    /// <summary>Standalone runs also stop after this many seconds without a message, once something arrived.</summary>
    public int IdleExitSeconds { get; set; } = 10;

    /// <summary>
    /// Where the consumer keeps how far it has handled each partition, so that after a crash it
    /// can tell records read again from new ones. Default: kafkademo/consumer under the temp directory.
    /// </summary>
    public string StateDirectory { get; set; } = "";

    public string ResolvedStateDirectory() =>
        string.IsNullOrWhiteSpace(StateDirectory) ? Path.Combine(Path.GetTempPath(), "kafkademo", "consumer") : StateDirectory;

    public string ResolvedInstanceId() =>
        !string.IsNullOrWhiteSpace(InstanceId) ? InstanceId
        : Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } service ? service
        : "consumer";
}
