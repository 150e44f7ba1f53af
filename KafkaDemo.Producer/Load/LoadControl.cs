using KafkaDemo.Messaging.Limits;
using KafkaDemo.Producer.Options;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Producer.Load;

/// <summary>
/// The producer's runtime controls, shared by the HTTP API and the send loop: target rate and
/// pause. Every change bumps <see cref="Version"/> and wakes the send loop.
/// </summary>
public sealed class LoadControl(IOptions<ProducerOptions> options) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _changed = new(0);
    private double _rate = options.Value.Rate;
    private bool _paused = options.Value.StartPaused;
    private long _version;

    public double TargetRate
    {
        get
        {
            lock (_gate)
            {
                return _rate;
            }
        }
    }

    public bool Paused
    {
        get
        {
            lock (_gate)
            {
                return _paused;
            }
        }
    }

    public long Version => Interlocked.Read(ref _version);

    /// <exception cref="ArgumentOutOfRangeException">The rate is not a valid rate (<see cref="RateLimit"/>).</exception>
    public void SetRate(double rate)
    {
        if (RateLimit.Problem(rate) is { } error)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The rate " + error);
        }

        Change(() => _rate = rate);
    }

    public void SetPaused(bool paused) => Change(() => _paused = paused);

    /// <summary>Reads rate and pause together.</summary>
    public (double Rate, bool Paused, long Version) Current()
    {
        lock (_gate)
        {
            return (_rate, _paused, Interlocked.Read(ref _version));
        }
    }

    /// <summary>Waits until something changes or the timeout passes.</summary>
    public bool WaitForChange(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return _changed.Wait(timeout, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _changed.Dispose();

    private void Change(Action apply)
    {
        lock (_gate)
        {
            apply();
            Interlocked.Increment(ref _version);
        }

        _changed.Release();
    }
}
