namespace KafkaDemo.Producer.Options;

/// <summary>How message keys, and with them partitions, are chosen.</summary>
public enum KeyStrategy
{
    /// <summary>No key; partitions are used in turn, each for a short while (sticky partitioning).</summary>
    None,

    /// <summary>Keys 0..KeyCount-1 in turn; key i always goes to partition i mod partitions.</summary>
    RoundRobin,

    /// <summary>A uniformly random key of 0..KeyCount-1; key i always goes to partition i mod partitions.</summary>
    Random,

    /// <summary>One key for everything: a single partition per topic, strict order.</summary>
    OneKey,
}
