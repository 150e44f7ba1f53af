using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Overseer.Aggregation;
using KafkaDemo.Overseer.Discovery;
using KafkaDemo.Overseer.Options;
using KafkaDemo.Overseer.Timeline;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Fleet;

/// <summary>
/// Polls every producer, consumer and the embedded Kafka once per interval: stats, health and new
/// histogram intervals. Follows <see cref="FleetMembers"/> before each poll: an instance that joins is
/// polled from then on, one that leaves is no longer shown nor waited for (its counts stay in
/// <see cref="FleetTotals"/>). Marks silent instances stale, merges the seconds everyone has reported,
/// keeps the producers' total rate over those that joined, left or restarted (<see cref="FleetCommands.KeepSharesAsync"/>),
/// and hands each merged second to every <see cref="IMergedSecondListener"/> (the summary's recent
/// seconds, the timeline, the rate controller, the agent's feedback), in that order.
/// </summary>
public sealed partial class FleetMonitor(
    FleetClient client,
    FleetMembers members,
    FleetState fleet,
    FleetCommands commands,
    IntervalMerger merger,
    IEnumerable<IMergedSecondListener> listeners,
    RunTimeline timeline,
    EmbeddedFaultEvents faultEvents,
    IOptions<OverseerOptions> options,
    TimeProvider time,
    ILogger<FleetMonitor> logger) : BackgroundService
{
    private readonly OverseerOptions _options = options.Value;
    private readonly IMergedSecondListener[] _listeners = [.. listeners];
    private readonly Dictionary<string, InstanceStatus> _instances = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.PollIntervalMs), time);
        do
        {
            try
            {
                await PollOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPollFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One poll of everything; public so tests can drive it step by step.</summary>
    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        Follow(members.Current(), time.GetUtcNow());
        var polls = _instances.Values.Select(i => PollAsync(i, cancellationToken)).ToList();
        var clusterTask = _options.EmbeddedKafka is { Length: > 0 } ek ? PollClusterAsync(ek, cancellationToken) : Task.FromResult<(ClusterState?, bool?)>((null, null));
        var results = await Task.WhenAll(polls);
        var (cluster, clusterHealthy) = await clusterTask;
        var now = time.GetUtcNow();

        foreach (var (status, intervals) in results)
        {
            var stale = status.LastSeen is not { } seen || now - seen > TimeSpan.FromSeconds(_options.StaleAfterSeconds);
            var previous = _instances[status.Key];
            if (stale && !previous.Stale && previous.LastSeen is not null)
            {
                timeline.AddEvent(new TimelineEvent(now, EventKinds.Fleet, $"{previous.Name} stopped reporting; left out of the figures"));
            }
            else if (!stale && previous.Stale)
            {
                timeline.AddEvent(new TimelineEvent(now, EventKinds.Fleet, $"{status.Name} is reporting again"));
            }

            _instances[status.Key] = status with { Stale = stale };
            if (intervals is not null)
            {
                try
                {
                    merger.Add(status.Name, status.IsProducer, intervals);
                }
                catch (FormatException ex)
                {
                    LogBadIntervals(logger, ex, status.Name);
                }
            }
        }

        var view = new FleetView(now, [.. _instances.Values], cluster, clusterHealthy);

        // A producer that joined (a pod scaled up) or restarted runs at the rate it was started with, not at its
        // share of the total set since; one that left took its share with it. Each is given its share now (the
        // next poll shows it), before the view is published, so whoever sees this poll sees it done.
        await commands.KeepSharesAsync(view, cancellationToken);
        fleet.Update(view);
        faultEvents.Observe(cluster, now);

        var live = _instances.Values.Where(i => !i.Stale && i.LastSeen is not null).Select(i => i.Name).ToList();
        foreach (var interval in merger.Release(live, now.ToUnixTimeSeconds()))
        {
            foreach (var listener in _listeners)
            {
                await listener.OnSecondAsync(interval, view.TargetRate, cancellationToken);
            }
        }
    }

    /// <summary>Takes in the instances that joined and lets go of those that left (a configured set never changes).</summary>
    private void Follow(IReadOnlyList<FleetMember> now, DateTimeOffset at)
    {
        // One pod selected by both Services (a misconfigured selector) is polled once, as what it was first listed as.
        now = [.. now.DistinctBy(m => m.Key, StringComparer.Ordinal)];
        var wanted = now.ToDictionary(m => m.Key, StringComparer.Ordinal);
        foreach (var gone in _instances.Values.Where(i => !wanted.ContainsKey(i.Key)).ToList())
        {
            _instances.Remove(gone.Key);
            timeline.AddEvent(new TimelineEvent(at, EventKinds.Fleet, $"{gone.Name} left (its pod is gone or not ready); its counts stay in the totals",
                new Dictionary<string, object?> { ["instance"] = gone.Name, ["url"] = gone.BaseUrl }));
        }

        foreach (var member in now)
        {
            if (_instances.TryGetValue(member.Key, out var known))
            {
                _instances[member.Key] = known with { Address = member.Address };
                continue;
            }

            _instances[member.Key] = new InstanceStatus(member.Key, member.Address, member.IsProducer, member.Key, null, false, false, "not polled yet", null, null);
            if (members.Discovered)
            {
                timeline.AddEvent(new TimelineEvent(at, EventKinds.Fleet, $"{member.Key} joined ({(member.IsProducer ? "producer" : "consumer")})",
                    new Dictionary<string, object?> { ["instance"] = member.Key, ["url"] = member.Address.Display }));
            }
        }
    }

    private async Task<(InstanceStatus Status, IntervalSeries? Intervals)> PollAsync(InstanceStatus current, CancellationToken cancellationToken)
    {
        try
        {
            var healthy = client.HealthyAsync(current.Address, cancellationToken);
            InstanceStatus status;
            if (current.IsProducer)
            {
                var stats = await client.ProducerStatsAsync(current.Address, cancellationToken);
                status = current with { Name = stats?.Instance ?? current.Name, Producer = stats };
            }
            else
            {
                var stats = await client.ConsumerStatsAsync(current.Address, cancellationToken);
                status = current with { Name = stats?.Instance ?? current.Name, Consumer = stats };
            }

            var intervals = await client.IntervalsAsync(current.Address, merger.LastLabel(status.Name), cancellationToken);
            return (status with { LastSeen = time.GetUtcNow(), Healthy = await healthy, Error = null }, intervals);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or FormatException)
        {
            return (current with { Healthy = false, Error = ex.Message }, null);
        }
    }

    private async Task<(ClusterState?, bool?)> PollClusterAsync(string baseUrl, CancellationToken cancellationToken)
    {
        try
        {
            var address = InstanceAddress.Url(baseUrl);
            var healthy = client.HealthyAsync(address, cancellationToken);
            return (await client.ClusterAsync(address, cancellationToken), await healthy);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            return (null, false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring undecodable histogram intervals from {Instance}")]
    private static partial void LogBadIntervals(ILogger logger, Exception exception, string instance);

    [LoggerMessage(Level = LogLevel.Error, Message = "Polling the fleet failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}
