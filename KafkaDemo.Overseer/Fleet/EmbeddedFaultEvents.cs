using System.Globalization;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.Overseer.Fleet;

/// <summary>
/// Turns changes in the embedded cluster's state into timeline events, whoever caused them: the
/// dashboard commands, the API, a test or a script.
/// </summary>
public sealed class EmbeddedFaultEvents(RunTimeline timeline)
{
    private ClusterState? _previous;

    public void Observe(ClusterState? current, DateTimeOffset at)
    {
        if (current is null)
        {
            return;
        }

        if (_previous is not null)
        {
            var latencyChanges = current.Brokers
                .Select(b => (Now: b, Before: _previous.Brokers.FirstOrDefault(p => p.Id == b.Id)))
                .Where(c => c.Before is not null && c.Before.RttMs != c.Now.RttMs)
                .ToList();
            var everyBroker = latencyChanges.Count == current.Brokers.Count && current.Brokers.Count > 1
                && latencyChanges.Select(c => (c.Before!.RttMs, c.Now.RttMs)).Distinct().Count() == 1;
            if (everyBroker)
            {
                var (before, now) = (latencyChanges[0].Before!.RttMs, latencyChanges[0].Now.RttMs);
                timeline.AddEvent(new TimelineEvent(at, EventKinds.Fault,
                    string.Create(CultureInfo.InvariantCulture, $"Latency on every broker {before} → {now} ms"),
                    new Dictionary<string, object?> { ["brokers"] = current.Brokers.Count, ["rttMs"] = now }));
            }

            foreach (var broker in current.Brokers)
            {
                var before = _previous.Brokers.FirstOrDefault(b => b.Id == broker.Id);
                if (before is null)
                {
                    continue;
                }

                if (before.Up && !broker.Up)
                {
                    var until = broker.UpAt is { } upAt ? string.Create(CultureInfo.InvariantCulture, $" until {upAt:HH:mm:ss}") : "";
                    Fault(at, $"Broker {broker.Id} down{until}", broker);
                }
                else if (!before.Up && broker.Up)
                {
                    Fault(at, $"Broker {broker.Id} up again", broker);
                }

                if (!everyBroker && before.RttMs != broker.RttMs)
                {
                    Fault(at, string.Create(CultureInfo.InvariantCulture, $"Broker {broker.Id} latency {before.RttMs} → {broker.RttMs} ms"), broker);
                }
            }
        }

        _previous = current;
    }

    private void Fault(DateTimeOffset at, string message, BrokerStatus broker) =>
        timeline.AddEvent(new TimelineEvent(at, EventKinds.Fault, message, new Dictionary<string, object?>
        {
            ["broker"] = broker.Id,
            ["up"] = broker.Up,
            ["rttMs"] = broker.RttMs,
        }));
}
