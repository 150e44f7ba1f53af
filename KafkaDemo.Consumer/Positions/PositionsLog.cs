namespace KafkaDemo.Consumer.Positions;

/// <summary>What the consumer says about its read positions.</summary>
internal static partial class PositionsLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Read positions kept in {Path}")]
    public static partial void Kept(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Read positions are not kept ({Problem}): after a crash, records read again cannot be told from new ones")]
    public static partial void NotKept(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the group's committed offsets; records read again after a crash will look new")]
    public static partial void CommittedUnknown(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming {Topic}[{Partition}] at committed offset {Committed}; this consumer had handled up to {Handled}: {Count} record(s) will be redelivered")]
    public static partial void Resuming(ILogger logger, string topic, int partition, long committed, long handled, long count);
}
