using KafkaDemo.EmbeddedKafka.Native;
using Microsoft.Extensions.Options;

namespace KafkaDemo.EmbeddedKafka.Cluster;

/// <summary>
/// Gives the memory the mock cluster freed back to the system every
/// <see cref="EmbeddedKafkaOptions.TrimIntervalSeconds"/>. The mock brokers keep each partition's
/// log as one malloc'd block per produce request and free the oldest as the log passes its cap
/// or <see cref="LogRetention"/> deletes it; glibc keeps those freed pages in its arenas, where
/// they count in the process's resident memory until reused (docs/performance.md, memory: about
/// 15 MB at 50,000 msg/s). Where the C library has no <c>malloc_trim</c> (not glibc) it says so
/// once and does nothing.
/// </summary>
public sealed partial class NativeMemoryTrim : BackgroundService
{
    private readonly IOptions<EmbeddedKafkaOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NativeMemoryTrim> _logger;
    private readonly Func<bool>? _trim;
    private readonly TaskCompletionSource _armed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>A trim at least this long is logged: the mock brokers' allocations wait for it.</summary>
    internal static readonly TimeSpan SlowTrim = TimeSpan.FromMilliseconds(5);

    private long _trims;
    private long _released;

    public NativeMemoryTrim(IOptions<EmbeddedKafkaOptions> options, TimeProvider time, ILogger<NativeMemoryTrim> logger)
        : this(options, time, logger, GlibcMallocTrim.TryLoad())
    {
    }

    /// <param name="trim">The trim (true when it gave memory back), or null where there is none.</param>
    internal NativeMemoryTrim(IOptions<EmbeddedKafkaOptions> options, TimeProvider time, ILogger<NativeMemoryTrim> logger, Func<bool>? trim)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _trim = trim;
    }

    /// <summary>Completes once the interval timer runs (ExecuteAsync starts on a thread of its own).</summary>
    internal Task Armed => _armed.Task;

    /// <summary>Trims made so far.</summary>
    internal long Trims => Interlocked.Read(ref _trims);

    /// <summary>Trims that gave memory back.</summary>
    internal long Released => Interlocked.Read(ref _released);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = _options.Value.TrimIntervalSeconds;
        if (seconds == 0)
        {
            return;
        }

        if (_trim is null)
        {
            LogUnavailable(_logger);
            return;
        }

        LogEnabled(_logger, seconds);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds), _time);
        _armed.TrySetResult();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var started = _time.GetTimestamp();
            if (_trim())
            {
                Interlocked.Increment(ref _released);
            }

            Interlocked.Increment(ref _trims);
            var took = _time.GetElapsedTime(started);
            if (took >= SlowTrim)
            {
                // A trim holds each arena's lock while it returns pages, so the brokers' threads wait on malloc meanwhile.
                LogSlow(_logger, took.TotalMilliseconds);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A malloc_trim took {Milliseconds:0.0} ms; the brokers' allocations waited for it")]
    private static partial void LogSlow(ILogger logger, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Freed native memory is given back to the system every {Seconds} s (malloc_trim)")]
    private static partial void LogEnabled(ILogger logger, int seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The C library has no malloc_trim (not glibc): freed native memory stays with the allocator until reused")]
    private static partial void LogUnavailable(ILogger logger);
}
