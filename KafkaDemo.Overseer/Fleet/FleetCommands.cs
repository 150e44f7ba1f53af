using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.Overseer.Fleet;

/// <summary>Changes applied to every live producer: the total rate (split evenly) and pause.</summary>
public sealed class FleetCommands(FleetClient client, FleetState fleet, RunTimeline timeline, TimeProvider time)
{
    /// <summary>Producers a change would go to now.</summary>
    public int LiveProducerCount => fleet.Current.LiveProducers.Count();

    /// <summary>Sets the total target rate, split evenly over the live producers.</summary>
    /// <exception cref="InvalidOperationException">No producer is live.</exception>
    public async Task SetTotalRateAsync(double totalRate, string why, CancellationToken cancellationToken)
    {
        var producers = LiveProducers();
        var each = totalRate / producers.Count;
        await Task.WhenAll(producers.Select(p => client.PutAsync(p, "/api/rate", new RateChange(each), cancellationToken)));
        if (why.Length > 0)
        {
            timeline.AddEvent(new TimelineEvent(time.GetUtcNow(), EventKinds.Manual, why,
                new Dictionary<string, object?> { ["rate"] = totalRate, ["producers"] = producers.Count }));
        }
    }

    public async Task SetPausedAsync(bool paused, CancellationToken cancellationToken)
    {
        var producers = LiveProducers();
        await Task.WhenAll(producers.Select(p => client.PutAsync(p, "/api/load", new LoadChange(paused), cancellationToken)));
        timeline.AddEvent(new TimelineEvent(time.GetUtcNow(), EventKinds.Manual, paused ? "Load paused" : "Load resumed",
            new Dictionary<string, object?> { ["producers"] = producers.Count }));
    }

    private List<string> LiveProducers()
    {
        var producers = fleet.Current.LiveProducers.Select(p => p.BaseUrl).ToList();
        return producers.Count > 0 ? producers : throw new InvalidOperationException("No producer is reporting; nothing to change.");
    }
}
