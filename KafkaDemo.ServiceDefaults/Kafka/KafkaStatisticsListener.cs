using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.ServiceDefaults.Kafka;

/// <summary>
/// Receives librdkafka statistics documents from the clients' poll threads and parses them on a
/// background task, so that parsing never delays delivery reports or message consumption.
/// </summary>
internal sealed partial class KafkaStatisticsListener(KafkaClientMetrics metrics, ILogger<KafkaStatisticsListener> logger)
    : BackgroundService
{
    private readonly Channel<string> _documents = Channel.CreateBounded<string>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>Called on a client's poll thread; never blocks.</summary>
    public void Post(string json)
    {
        if (!string.IsNullOrEmpty(json))
        {
            _documents.Writer.TryWrite(json);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var json in _documents.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    metrics.Update(KafkaStatistics.Parse(json));
                }
                catch (JsonException ex)
                {
                    LogUnreadable(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring a librdkafka statistics document that could not be parsed")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}
