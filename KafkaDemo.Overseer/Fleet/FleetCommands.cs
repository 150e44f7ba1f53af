using System.Globalization;
using System.Text.Json;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Limits;
using KafkaDemo.Overseer.Discovery;
using KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.Overseer.Fleet;

/// <summary>
/// Changes applied to every live producer that is in the fleet now (<see cref="FleetMembers"/>: with
/// discovery, the ready pods as last seen): the total rate (split evenly over them) and pause. Each producer
/// is changed on its own: one that does not answer does not stop the others, and the result says,
/// per producer, what was applied. A change that reached only some producers is recorded as an event.
/// </summary>
public sealed class FleetCommands(FleetClient client, FleetState fleet, FleetMembers members, RunTimeline timeline, TimeProvider time) : IProducerFleet
{
    /// <summary>Producers a change would go to now.</summary>
    public int LiveProducerCount => Current().Count;

    public double TargetRate => fleet.Current.TargetRate;

    public double ActualRate => fleet.Current.LiveProducers.Sum(p => p.Producer!.ActualRate.Last10s);

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
        var change = await ApplyAsync(producers, "/api/rate", new RateChange(each), description, cancellationToken);
        var total = string.Create(CultureInfo.InvariantCulture, $"{totalRate:0.###}/s");
        Record(change, why, $"Rate change to {total}", new Dictionary<string, object?> { ["rate"] = totalRate, ["producers"] = producers.Count });
        return change;
    }

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
    private List<InstanceStatus> Current()
    {
        var now = members.Current().Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
        return [.. fleet.Current.LiveProducers.Where(p => now.Contains(p.Key))];
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
