using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.ServiceDefaults.Kafka;

/// <summary>Routes librdkafka's log lines and client errors to <see cref="ILogger"/>.</summary>
internal static partial class KafkaLogBridge
{
    /// <summary>Logger category, the same as Aspire.Confluent.Kafka's.</summary>
    public const string Category = "Aspire.Confluent.Kafka";

    public static void Log(ILogger logger, LogMessage message)
    {
        var level = (LogLevel)message.LevelAs(LogLevelType.MicrosoftExtensionsLogging);
        if (logger.IsEnabled(level))
        {
            LogLibrdkafka(logger, level, message.Name, message.Facility, message.Message);
        }
    }

    public static void LogError(ILogger logger, Error error)
    {
        if (error.IsFatal)
        {
            LogFatal(logger, error.Code, error.Reason);
        }
        else
        {
            // Transient: librdkafka retries by itself (a broker down, a connection reset).
            LogTransient(logger, error.Code, error.Reason);
        }
    }

    [LoggerMessage(Message = "[{Client}] {Facility}: {Text}")]
    private static partial void LogLibrdkafka(ILogger logger, LogLevel level, string client, string facility, string text);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Fatal Kafka client error {Code}: {Reason}")]
    private static partial void LogFatal(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka client error {Code}: {Reason}")]
    private static partial void LogTransient(ILogger logger, ErrorCode code, string reason);
}
