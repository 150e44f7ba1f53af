using System.Globalization;
using System.Text.Json;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Limits;
using KafkaDemo.Overseer.Discovery;
using KafkaDemo.Overseer.Options;
using KafkaDemo.Overseer.Timeline;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Fleet;

/// <summary>
/// Changes applied to every live producer that is in the fleet now (<see cref="FleetMembers"/>: with
/// discovery, the ready pods as last seen): the total rate (split evenly over them) and pause. Each producer
/// is changed on its own: one that does not answer does not stop the others, and the result says,
/// per producer, what was applied. A change that reached only some producers is recorded as an event.
/// The total last set (or, before any, <see cref="OverseerOptions.TotalRate"/>: what the producers were
/// started with) is kept when producers join, leave or restart: <see cref="KeepSharesAsync"/> gives each
/// producer whose rate is not its share of that total its share.
/// </summary>
public sealed class FleetCommands(
    FleetClient client, FleetState fleet, FleetMembers members, RunTimeline timeline, IOptions<OverseerOptions> options, TimeProvider time) : IProducerFleet, IDisposable
{
    /// <summary>How long a producer that did not take its share is left before it is given it again.</summary>
    public static readonly TimeSpan ShareRetry = TimeSpan.FromSeconds(10);

    /// <summary>One rate change at a time, so that a share kept and a total set never interleave.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>When each producer (by key) was last given its share, and which.</summary>
    private readonly Dictionary<string, (double Share, DateTimeOffset At)> _given = new(StringComparer.Ordinal);

    private double? _total = options.Value.TotalRate;

    /// <summary>Producers a change would go to now.</summary>
    public int LiveProducerCount => Current().Count;

    public double TargetRate => fleet.Current.TargetRate;

    public double ActualRate => fleet.Current.LiveProducers.Sum(p => p.Producer!.ActualRate.Last10s);

    public void Dispose() => _gate.Dispose();

    /// <summary>Sets the total target rate, split evenly over the live producers.</summary>
    /// <param name="totalRate">The total; each producer's share must be a valid rate (<see cref="RateLimit.TotalProblem"/>).</param>
    /// <param name="why">The event to record when every producer took it; empty for none.</param>
    /// <exception cref="InvalidOperationException">No producer is live.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The total cannot be split into valid rates.</exception>
    public async Task<FleetChange> SetTotalRateAsync(double totalRate, string why, CancellationToken cancellationToken)
    {
        var producers = LiveProducers();
        if (RateLimit.TotalProblem(totalRate, producers.Count) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(totalRate), totalRate, "The total rate " + problem);
        }

        var each = totalRate / producers.Count;
        var description = string.Create(CultureInfo.InvariantCulture, $"rate {each:0.###}/s");
        FleetChange change;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // The total is what is meant from now on, even where it did not arrive: KeepSharesAsync gives it again.
            _total = totalRate;
            _given.Clear();
            change = await ApplyAsync(producers, "/api/rate", new RateChange(each), description, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }

        var total = string.Create(CultureInfo.InvariantCulture, $"{totalRate:0.###}/s");
        Record(change, why, $"Rate change to {total}", new Dictionary<string, object?> { ["rate"] = totalRate, ["producers"] = producers.Count });
        return change;
    }

    /// <summary>
    /// Keeps the total: each live producer in the fleet whose target rate is not its share of the total (the
    /// total over the live producers now) gets its share. A producer that joins (a pod scaled up, its rate the
    /// one it was started with), or restarts, would otherwise add its starting rate to the total, and one that
    /// leaves take its share away. Called after each poll with the fleet as polled; a producer given its share
    /// that still shows another rate is given it again after <see cref="ShareRetry"/>. Nothing is kept before a
    /// total is known (<see cref="OverseerOptions.TotalRate"/> unset and none set since). Pause is left as it is.
    /// </summary>
    /// <returns>The change made, or null when every producer had its share.</returns>
    /// <param name="view">The fleet as just polled.</param>
    public async Task<FleetChange?> KeepSharesAsync(FleetView view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_total is not { } total || Current(view) is not { Count: > 0 } producers)
            {
                return null;
            }

            foreach (var gone in _given.Keys.Except(producers.Select(p => p.Key), StringComparer.Ordinal).ToList())
            {
                _given.Remove(gone);
            }

            var share = Share(total, producers.Count);
            var now = time.GetUtcNow();
            var off = producers
                .Where(p => Math.Abs(p.Producer!.TargetRate - share) > ShareTolerance(share))
                .Where(p => !_given.TryGetValue(p.Key, out var given) || Math.Abs(given.Share - share) > ShareTolerance(share) || now - given.At >= ShareRetry)
                .ToList();
            if (off.Count == 0)
            {
                return null;
            }

            foreach (var p in off)
            {
                _given[p.Key] = (share, now);
            }

            var description = string.Create(CultureInfo.InvariantCulture, $"rate {share:0.###}/s");
            var change = await ApplyAsync(off, "/api/rate", new RateChange(share), description, cancellationToken);
            var what = string.Create(CultureInfo.InvariantCulture, $"{total:0.###}/s kept over {producers.Count} producer{(producers.Count == 1 ? "" : "s")}: {share:0.###}/s each");
            var details = new Dictionary<string, object?>
            {
                ["rate"] = total,
                ["producers"] = producers.Count,
                ["share"] = share,
                ["given"] = off.Select(p => p.Name).ToList(),
                ["had"] = off.Select(p => p.Producer!.TargetRate).ToList(),
            };
            if (change.AllApplied)
            {
                timeline.AddEvent(new TimelineEvent(now, EventKinds.Fleet, $"Rate {what} (given to {string.Join(", ", off.Select(p => p.Name))})", details));
            }
            else
            {
                Record(change, "", $"Rate {what}", details);
            }

            return change;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Each producer's share of <paramref name="total"/>; held within a producer's valid rates, so a fleet scaled past
    /// the total (more producers than messages per second) offers a little more than it.
    /// </summary>
    private static double Share(double total, int producers) =>
        total == RateLimit.Unthrottled ? RateLimit.Unthrottled : Math.Clamp(total / producers, RateLimit.Min, RateLimit.Max);

    /// <summary>A rate read back as JSON is the same double (System.Text.Json writes the shortest round-trip form); this only absorbs arithmetic.</summary>
    private static double ShareTolerance(double share) => Math.Max(1e-6, Math.Abs(share) * 1e-9);

    /// <summary>Pauses or resumes every live producer.</summary>
    /// <exception cref="InvalidOperationException">No producer is live.</exception>
    public async Task<FleetChange> SetPausedAsync(bool paused, CancellationToken cancellationToken)
    {
        var producers = LiveProducers();
        var change = await ApplyAsync(producers, "/api/load", new LoadChange(paused), paused ? "paused" : "resumed", cancellationToken);
        Record(change, paused ? "Load paused" : "Load resumed", paused ? "Pause" : "Resume",
            new Dictionary<string, object?> { ["paused"] = paused, ["producers"] = producers.Count });
        return change;
    }

    private async Task<FleetChange> ApplyAsync<T>(
        List<InstanceStatus> producers, string path, T body, string description, CancellationToken cancellationToken)
    {
        var outcomes = await Task.WhenAll(producers.Select(async p =>
        {
            try
            {
                await client.PutAsync(p.Address, path, body, cancellationToken);
                return new ProducerChangeOutcome(p.Name, p.BaseUrl, true, description, null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new ProducerChangeOutcome(p.Name, p.BaseUrl, false, description,
                    string.Create(CultureInfo.InvariantCulture, $"no answer within {FleetClient.CallTimeout.TotalSeconds:0.#} s"));
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException)
            {
                return new ProducerChangeOutcome(p.Name, p.BaseUrl, false, description, ex.Message);
            }
        }));
        return new FleetChange(outcomes);
    }

    private void Record(FleetChange change, string whenApplied, string what, Dictionary<string, object?> details)
    {
        if (change.AllApplied)
        {
            if (whenApplied.Length > 0)
            {
                timeline.AddEvent(new TimelineEvent(time.GetUtcNow(), EventKinds.Manual, whenApplied, details));
            }

            return;
        }

        details["outcomes"] = change.Producers;
        timeline.AddEvent(new TimelineEvent(time.GetUtcNow(), EventKinds.Fleet, $"{what} only partly applied: {change.Describe()}", details));
    }

    /// <summary>The live producers of the last poll that are still members now (one that left since is not commanded).</summary>
    private List<InstanceStatus> Current(FleetView? view = null)
    {
        var now = members.Current().Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
        return [.. (view ?? fleet.Current).LiveProducers.Where(p => now.Contains(p.Key))];
    }

    private List<InstanceStatus> LiveProducers()
    {
        var producers = Current();
        return producers.Count > 0 ? producers : throw new InvalidOperationException("No producer is reporting; nothing to change.");
    }
}

/// <summary>What one change did to each producer.</summary>
public sealed record FleetChange(IReadOnlyList<ProducerChangeOutcome> Producers)
{
    public bool AllApplied => Producers.All(p => p.Applied);

    /// <summary>"applied to producer-1; not applied to producer-2 (no answer within 2 s)".</summary>
    public string Describe()
    {
        var applied = Producers.Where(p => p.Applied).Select(p => p.Instance).ToList();
        var failed = Producers.Where(p => !p.Applied).Select(p => $"{p.Instance} ({p.Error})").ToList();
        var parts = new List<string>();
        if (applied.Count > 0)
        {
            parts.Add("applied to " + string.Join(", ", applied));
        }

        if (failed.Count > 0)
        {
            parts.Add("not applied to " + string.Join(", ", failed));
        }

        return string.Join("; ", parts);
    }
}
