using KafkaDemo.EmbeddedKafka.Cluster;
using KafkaDemo.Messaging.Contracts;

namespace KafkaDemo.EmbeddedKafka.Control;

/// <summary>
/// Faults on the running embedded cluster: added latency, timed broker outages, and clearing
/// them. Outages end on a <see cref="TimeProvider"/> timer, so tests can drive them with a fake clock.
/// </summary>
public sealed partial class FaultInjector(EmbeddedKafkaService service, TimeProvider time, ILogger<FaultInjector> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, (ITimer Timer, DateTimeOffset UpAt)> _outages = [];

    private EmbeddedKafkaCluster Cluster => service.Cluster;

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
        foreach (var id in Targets(brokerId))
        {
            Cluster.SetBrokerRtt(id, ms);
        }

        LogLatency(logger, ms, brokerId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all brokers");
    }

    /// <summary>Takes a broker down now and brings it back after <paramref name="duration"/>.</summary>
    public void TakeDown(int brokerId, TimeSpan duration)
    {
        _ = Targets(brokerId);
        lock (_gate)
        {
            if (_outages.Remove(brokerId, out var previous))
            {
                previous.Timer.Dispose();
            }

            Cluster.SetBrokerDown(brokerId);
            var timer = time.CreateTimer(_ => BringUp(brokerId), null, duration, Timeout.InfiniteTimeSpan);
            _outages[brokerId] = (timer, time.GetUtcNow() + duration);
        }

        LogOutage(logger, brokerId, duration.TotalSeconds);
    }

    /// <summary>Removes every fault: latency back to 0, every broker up.</summary>
    /// <exception cref="IOException">A broker could not come back (its fixed port is taken); every other one did, and it stays down.</exception>
    public void Clear()
    {
        lock (_gate)
        {
            foreach (var outage in _outages.Values)
            {
                outage.Timer.Dispose();
            }

            _outages.Clear();
        }

        var failures = new List<string>();
        foreach (var broker in Cluster.Brokers)
        {
            Cluster.SetBrokerRtt(broker.Id, 0);
            try
            {
                Cluster.SetBrokerUp(broker.Id);
            }
            catch (IOException ex)
            {
                LogBringUpFailed(logger, ex, broker.Id);
                failures.Add(ex.Message);
            }
        }

        if (failures.Count > 0)
        {
            throw new IOException(string.Join(" ", failures));
        }

        LogCleared(logger);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var outage in _outages.Values)
            {
                outage.Timer.Dispose();
            }

            _outages.Clear();
        }
    }

    private void BringUp(int brokerId)
    {
        lock (_gate)
        {
            if (!_outages.Remove(brokerId, out var outage))
            {
                return;
            }

            outage.Timer.Dispose();
        }

        try
        {
            Cluster.SetBrokerUp(brokerId);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            LogBringUpFailed(logger, ex, brokerId);
        }
    }

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
}
