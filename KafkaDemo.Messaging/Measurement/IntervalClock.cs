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
        var next = timeProvider.GetUtcNow().ToUnixTimeSeconds() + 1;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = DateTimeOffset.FromUnixTimeSeconds(next) - timeProvider.GetUtcNow();
            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                // Timers may fire a little early: never close a second before it has ended.
                continue;
            }

            Tick(next);

            // After a stall (a paused process) the next interval covers the whole gap: labels
            // stay unique and increasing, one per closed interval.
            next = Math.Max(next + 1, timeProvider.GetUtcNow().ToUnixTimeSeconds() + 1);
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
