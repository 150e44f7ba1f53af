using KafkaDemo.EmbeddedKafka.Cluster;
using KafkaDemo.Messaging.Contracts;

namespace KafkaDemo.EmbeddedKafka.Control;

/// <summary>
/// Faults on the running embedded cluster: added latency, timed broker outages, and clearing
/// them. Outages end on a <see cref="TimeProvider"/> timer, so tests can drive them with a fake clock.
/// Callers may be many at once: the control API's requests and the outages' timers.
/// </summary>
/// <remarks>
/// <para><b>Invariant</b>, true whenever <c>_gate</c> is free:</para>
/// <list type="bullet">
/// <item>a broker with an entry in <c>_outages</c> is down, and that entry's timer is the only
/// thing that brings it back by itself (at the entry's <c>UpAt</c>);</item>
/// <item>a broker without an entry is up, unless its last bring-up failed (its fixed port was
/// taken meanwhile): that was logged, and <see cref="Clear"/> reports it;</item>
/// <item>a timer acts only while its own outage is still its broker's current entry.</item>
/// </list>
/// <para>It holds because every change of a broker's state and of <c>_outages</c> happens together
/// under <c>_gate</c>, the cluster calls included (the cluster's own lock is always taken second,
/// so there is one lock order). That rules out what an unlocked bring-up allowed: a timer whose
/// outage was replaced by a longer one bringing the broker up early; <see cref="Clear"/> bringing up
/// a broker that a concurrent <see cref="TakeDown"/> had just taken down, leaving an outage entry
/// for a broker that is up. A timer's callback can still run after its timer was disposed
/// (<see cref="ITimer.Dispose"/> does not wait for a callback already under way), so a callback
/// checks, under the lock, that its outage is still the current one; an ended, replaced or cleared
/// outage's callback changes nothing. Broker state is changed only when it differs, so one outage
/// brings its broker up at most once.</para>
/// </remarks>
public sealed partial class FaultInjector : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Outage> _outages = [];
    private readonly Func<IFaultableCluster> _cluster;
    private readonly TimeProvider _time;
    private readonly ILogger<FaultInjector> _logger;
    private bool _disposed;

    public FaultInjector(EmbeddedKafkaService service, TimeProvider time, ILogger<FaultInjector> logger)
        : this(() => service.Cluster, time, logger)
    {
        ArgumentNullException.ThrowIfNull(service);
    }

    /// <param name="cluster">The cluster, read when first needed (the service starts it after this is made).</param>
    internal FaultInjector(Func<IFaultableCluster> cluster, TimeProvider time, ILogger<FaultInjector> logger)
    {
        _cluster = cluster;
        _time = time;
        _logger = logger;
    }

    private IFaultableCluster Cluster => _cluster();

    public ClusterState State()
    {
        lock (_gate)
        {
            return new ClusterState(
                Cluster.BootstrapServers,
                EmbeddedKafkaCluster.LibrdkafkaVersion,
                [.. Cluster.Brokers.Select(b => _outages.TryGetValue(b.Id, out var o) ? b with { UpAt = o.UpAt } : b)]);
        }
    }

    /// <summary>Adds latency to one broker, or to every broker when <paramref name="brokerId"/> is null.</summary>
    public void SetLatency(int ms, int? brokerId)
    {
        lock (_gate)
        {
            foreach (var id in Targets(brokerId))
            {
                Cluster.SetBrokerRtt(id, ms);
            }
        }

        LogLatency(_logger, ms, brokerId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all brokers");
    }

    /// <summary>
    /// Takes a broker down now and brings it back after <paramref name="duration"/>. An outage
    /// already running on it is replaced: the broker stays down, until the new end.
    /// </summary>
    public void TakeDown(int brokerId, TimeSpan duration)
    {
        _ = Targets(brokerId);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // First the broker: if that throws, the outage already running (if any) stays as it was.
            if (IsUp(brokerId))
            {
                Cluster.SetBrokerDown(brokerId);
            }

            if (_outages.Remove(brokerId, out var previous))
            {
                previous.Timer?.Dispose();
            }

            // The entry exists before its timer can fire, so even a timer that fires at once finds it.
            var outage = new Outage(brokerId, _time.GetUtcNow() + duration);
            _outages[brokerId] = outage;
            outage.Timer = _time.CreateTimer(_ => End(outage), null, duration, Timeout.InfiniteTimeSpan);
        }

        LogOutage(_logger, brokerId, duration.TotalSeconds);
    }

    /// <summary>Removes every fault: latency back to 0, every broker up, no outage left to end.</summary>
    /// <exception cref="IOException">A broker could not come back (its fixed port is taken); every other one did, and it stays down.</exception>
    public void Clear()
    {
        var failures = new List<string>();
        lock (_gate)
        {
            foreach (var outage in _outages.Values)
            {
                outage.Timer?.Dispose();
            }

            _outages.Clear();
            foreach (var broker in Cluster.Brokers)
            {
                if (broker.RttMs != 0)
                {
                    Cluster.SetBrokerRtt(broker.Id, 0);
                }

                if (broker.Up)
                {
                    continue;
                }

                try
                {
                    Cluster.SetBrokerUp(broker.Id);
                }
                catch (IOException ex)
                {
                    LogBringUpFailed(_logger, ex, broker.Id);
                    failures.Add(ex.Message);
                }
            }
        }

        if (failures.Count > 0)
        {
            throw new IOException(string.Join(" ", failures));
        }

        LogCleared(_logger);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var outage in _outages.Values)
            {
                outage.Timer?.Dispose();
            }

            _outages.Clear();
        }
    }

    /// <summary>An outage's timer fired: brings its broker up, if this outage is still the broker's current one.</summary>
    private void End(Outage outage)
    {
        lock (_gate)
        {
            if (!_outages.TryGetValue(outage.BrokerId, out var current) || !ReferenceEquals(current, outage))
            {
                return; // replaced, cleared or disposed meanwhile: no longer this timer's business
            }

            _outages.Remove(outage.BrokerId);
            outage.Timer?.Dispose();
            try
            {
                if (!IsUp(outage.BrokerId))
                {
                    Cluster.SetBrokerUp(outage.BrokerId);
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                LogBringUpFailed(_logger, ex, outage.BrokerId);
            }
        }
    }

    private bool IsUp(int brokerId) => Cluster.Brokers.First(b => b.Id == brokerId).Up;

    private IEnumerable<int> Targets(int? brokerId)
    {
        if (brokerId is { } id && (id < 1 || id > Cluster.BrokerCount))
        {
            throw new ArgumentOutOfRangeException(nameof(brokerId), id, $"Brokers are numbered 1 to {Cluster.BrokerCount}.");
        }

        return brokerId is { } one ? [one] : Enumerable.Range(1, Cluster.BrokerCount);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault: {Ms} ms latency on {Brokers}")]
    private static partial void LogLatency(ILogger logger, int ms, string brokers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault: broker {BrokerId} down for {Seconds} s")]
    private static partial void LogOutage(ILogger logger, int brokerId, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Faults cleared")]
    private static partial void LogCleared(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Broker {BrokerId} could not be brought back up")]
    private static partial void LogBringUpFailed(ILogger logger, Exception exception, int brokerId);

    /// <summary>One timed outage; compared by identity, so a timer knows whether it is still the current one.</summary>
    private sealed class Outage(int brokerId, DateTimeOffset upAt)
    {
        public int BrokerId { get; } = brokerId;

        public DateTimeOffset UpAt { get; } = upAt;

        public ITimer? Timer { get; set; }
    }
}
