using System.Globalization;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.Overseer.Fleet;

/// <summary>
/// The fleet's counts since the Overseer started, kept per instance across its restarts. An
/// instance's stats restart from zero with its process, and one that crashed stops reporting: the
/// latest counts of each incarnation are kept, so gaps or failures found by a process that later
/// died stay in the totals, and so do those of an instance that left the fleet (a pod scaled away or
/// replaced: "counts survive pod replacement, as they already survive instance restarts"). A restart (a new producer epoch, or a new consumer start time) is
/// recorded as an event that says what was carried over.
/// </summary>
/// <remarks>
/// Counts between an incarnation's last poll and its end are not known to the Overseer and not
/// included. A stale instance keeps its last counts in the totals; only rates and latency leave it
/// out. Fed by <see cref="FleetState.Changed"/>, once per poll; read from any thread.
/// </remarks>
public sealed class FleetTotals : IHostedService, IDisposable
{
    /// <summary>Changes of the lost total kept for <see cref="LostBetween"/>: six hours of one a second.</summary>
    private const int MaxLostChanges = 6 * 3600;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Incarnations> _instances = new(StringComparer.Ordinal);
    private readonly List<(DateTimeOffset At, long Lost)> _lostChanges = [];
    private readonly FleetState _fleet;
    private readonly RunTimeline _timeline;

    public FleetTotals(FleetState fleet, RunTimeline timeline)
    {
        _fleet = fleet;
        _timeline = timeline;
        _fleet.Changed += OnChanged;
    }

    public ProducerTotals Producers
    {
        get
        {
            lock (_gate)
            {
                return _instances.Values.Where(i => i.IsProducer).Aggregate(ProducerTotals.Zero, (sum, i) => sum + i.ProducerTotals);
            }
        }
    }

    public ConsumerTotals Consumers
    {
        get
        {
            lock (_gate)
            {
                return _instances.Values.Where(i => !i.IsProducer).Aggregate(ConsumerTotals.Zero, (sum, i) => sum + i.ConsumerTotals);
            }
        }
    }

    /// <summary>
    /// Records lost (removed from the log before a consumer read them) that the Overseer learned of
    /// after <paramref name="from"/> and up to <paramref name="to"/>, by the time of its polls.
    /// </summary>
    public long LostBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            return LostAt(to) - LostAt(from);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _fleet.Changed -= OnChanged;

    private void OnChanged()
    {
        var view = _fleet.Current;
        var restarts = new List<TimelineEvent>();
        lock (_gate)
        {
            foreach (var instance in view.Instances)
            {
                if (instance.Producer is null && instance.Consumer is null)
                {
                    continue;
                }

                if (!_instances.TryGetValue(instance.Key, out var incarnations))
                {
                    incarnations = new Incarnations(instance.IsProducer);
                    _instances[instance.Key] = incarnations;
                }

                if (incarnations.Observe(instance) is { } carried)
                {
                    restarts.Add(new TimelineEvent(view.At, EventKinds.Fleet, $"{instance.Name} restarted (a new process); {carried}",
                        new Dictionary<string, object?> { ["instance"] = instance.Name, ["url"] = instance.BaseUrl, ["restarts"] = incarnations.Restarts }));
                }
            }

            var lost = _instances.Values.Where(i => !i.IsProducer).Sum(i => i.ConsumerTotals.Lost);
            if (lost != (_lostChanges.Count > 0 ? _lostChanges[^1].Lost : 0))
            {
                _lostChanges.Add((view.At, lost));
                if (_lostChanges.Count > MaxLostChanges)
                {
                    _lostChanges.RemoveRange(0, _lostChanges.Count - MaxLostChanges);
                }
            }
        }

        foreach (var restart in restarts)
        {
            _timeline.AddEvent(restart);
        }
    }

    /// <summary>The lost total as last seen at or before <paramref name="at"/>.</summary>
    private long LostAt(DateTimeOffset at)
    {
        var index = _lostChanges.FindLastIndex(c => c.At <= at);
        return index < 0 ? 0 : _lostChanges[index].Lost;
    }

    /// <summary>One instance (by <see cref="InstanceStatus.Key"/>), kept after it leaves: the summed counts of its finished incarnations and the latest of the current one.</summary>
    private sealed class Incarnations(bool isProducer)
    {
        private ProducerTotals _finishedProducers = ProducerTotals.Zero;
        private ConsumerTotals _finishedConsumers = ConsumerTotals.Zero;
        private ProducerStats? _producer;
        private ConsumerStats? _consumer;
        private int _restarts;

        public bool IsProducer { get; } = isProducer;

        public int Restarts => _restarts;

        public ProducerTotals ProducerTotals => _finishedProducers + (ProducerTotals.Of(_producer) with { Restarts = _restarts });

        public ConsumerTotals ConsumerTotals => _finishedConsumers + (ConsumerTotals.Of(_consumer) with { Restarts = _restarts });

        /// <summary>Takes the latest stats; on a new incarnation, returns what was carried over from the last one.</summary>
        public string? Observe(InstanceStatus status)
        {
            if (status.Producer is { } producer)
            {
                var previous = _producer;
                _producer = producer;
                if (previous is null || previous.Epoch == producer.Epoch)
                {
                    return null;
                }

                _finishedProducers += ProducerTotals.Of(previous);
                _restarts++;
                return string.Create(CultureInfo.InvariantCulture,
                    $"its earlier counts stay in the totals: {previous.Sent:N0} sent, {previous.Acked:N0} acknowledged, {previous.Failed:N0} failed");
            }

            if (status.Consumer is { } consumer)
            {
                var previous = _consumer;
                _consumer = consumer;
                if (previous is null || previous.StartedAt == consumer.StartedAt)
                {
                    return null;
                }

                _finishedConsumers += ConsumerTotals.Of(previous);
                _restarts++;
                return string.Create(CultureInfo.InvariantCulture,
                    $"its earlier counts stay in the totals: {previous.Verified:N0} verified, {previous.IntegrityFailures.Total:N0} integrity failures, {previous.Gaps:N0} gaps, {previous.Duplicates:N0} duplicates, {previous.Lost:N0} lost");
            }

            return null;
        }
    }
}

/// <summary>Every producer's counts since the Overseer started, across restarts.</summary>
public sealed record ProducerTotals(long Sent, long Acked, long Failed, int Restarts)
{
    public static ProducerTotals Zero { get; } = new(0, 0, 0, 0);

    public static ProducerTotals Of(ProducerStats? stats) => stats is null ? Zero : new(stats.Sent, stats.Acked, stats.Failed, 0);

    public static ProducerTotals operator +(ProducerTotals a, ProducerTotals b) =>
        new(a.Sent + b.Sent, a.Acked + b.Acked, a.Failed + b.Failed, a.Restarts + b.Restarts);
}

/// <summary>Every consumer's counts since the Overseer started, across restarts.</summary>
public sealed record ConsumerTotals(long Received, long Verified, long IntegrityFailures, long Gaps, long Duplicates, long Redelivered, long Truncated, int Restarts, long Lost = 0)
{
    public static ConsumerTotals Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    public static ConsumerTotals Of(ConsumerStats? stats) => stats is null ? Zero
        : new(stats.Received, stats.Verified, stats.IntegrityFailures.Total, stats.Gaps, stats.Duplicates, stats.Redelivered, stats.Truncated, 0, stats.Lost);

    public static ConsumerTotals operator +(ConsumerTotals a, ConsumerTotals b) => new(
        a.Received + b.Received,
        a.Verified + b.Verified,
        a.IntegrityFailures + b.IntegrityFailures,
        a.Gaps + b.Gaps,
        a.Duplicates + b.Duplicates,
        a.Redelivered + b.Redelivered,
        a.Truncated + b.Truncated,
        a.Restarts + b.Restarts,
        a.Lost + b.Lost);
}
