using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.Messaging.Measurement;

/// <summary>
/// Closes every registered <see cref="IIntervalMeasurement"/> on whole wall-clock seconds, so that
/// intervals from different processes carry the same labels and can be merged side by side.
/// </summary>
public sealed partial class IntervalClock(
    IEnumerable<IIntervalMeasurement> measurements,
    TimeProvider timeProvider,
    ILogger<IntervalClock> logger) : BackgroundService
{
    private readonly IIntervalMeasurement[] _measurements = [.. measurements];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = timeProvider.GetUtcNow();
            var next = now.ToUnixTimeSeconds() + 1;
            var delay = DateTimeOffset.FromUnixTimeSeconds(next) - now;
            try
            {
                await Task.Delay(delay, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Tick(next);
        }
    }

    /// <summary>Closes one interval on every measurement. Public so tests can drive it without waiting.</summary>
    public void Tick(long endUnixSeconds)
    {
        var nowMicros = timeProvider.Now();
        foreach (var measurement in _measurements)
        {
            try
            {
                measurement.CloseInterval(endUnixSeconds, nowMicros);
            }
            catch (Exception ex)
            {
                LogCloseFailed(logger, ex, measurement.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Closing the measurement interval of {Measurement} failed")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception, string measurement);
}
