namespace KafkaDemo.Producer.Options;

/// <summary>Configuration section <c>Producer</c>.</summary>
public sealed class ProducerOptions
{
    public const string SectionName = "Producer";

    /// <summary>Name of this instance; its producer id is derived from it. Defaults to OTEL_SERVICE_NAME, else "producer".</summary>
    public string InstanceId { get; set; } = "";

    /// <summary>
    /// Target rate in messages per second (open loop); 0 sends as fast as possible. Changeable at
    /// runtime. Valid rates are those of <see cref="Messaging.Limits.RateLimit"/>.
    /// </summary>
    public double Rate { get; set; } = 1000;

    /// <summary>Message value size: "512" or "256-4096" bytes.</summary>
    public string MessageSize { get; set; } = "512";

    /// <summary>Weighted topics, for example "orders:3,clicks:1".</summary>
    public string Topics { get; set; } = "orders:3,clicks:1";

    /// <summary>How keys and partitions are chosen.</summary>
    public KeyStrategy Keys { get; set; } = KeyStrategy.None;

    /// <summary>Distinct keys for <see cref="KeyStrategy.RoundRobin"/> and <see cref="KeyStrategy.Random"/>.</summary>
    public int KeyCount { get; set; } = 1024;

    /// <summary>
    /// Without keys, how long a topic's messages stay on one partition before moving to the next
    /// (sticky partitioning; also moves after 128 KiB). 0 moves on with every message.
    /// </summary>
    public int StickyPartitionMs { get; set; } = 10;

    /// <summary>Stop after this many messages (standalone runs); 0 runs until stopped.</summary>
    public long MessageCount { get; set; }

    /// <summary>Start with load paused.</summary>
    public bool StartPaused { get; set; }

    /// <summary>How long shutdown waits for in-flight messages to be acknowledged.</summary>
    public int FlushTimeoutSeconds { get; set; } = 15;

    /// <summary>Seed of the size and key choices, for reproducible runs; 0 picks one.</summary>
    public int Seed { get; set; }

    public string ResolvedInstanceId() =>
        !string.IsNullOrWhiteSpace(InstanceId) ? InstanceId
        : Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } service ? service
        : "producer";
}
