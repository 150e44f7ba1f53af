using System.Globalization;
using System.Text.Json.Nodes;
using KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.Overseer.StrimziWatch;

/// <summary>
/// What the Overseer knows of the Kafka cluster's resources now: the broker config, the brokers
/// ready versus desired, and every spec change seen. Broker readiness changes go to the timeline
/// (a rolling restart shows as brokers ready dropping and coming back).
/// </summary>
public sealed class KafkaResourceState(RunTimeline timeline)
{
    /// <summary>
    /// Spec changes remembered for the run export's <c>clusterChanges</c>: an agent round makes a
    /// few, so 1,000 covers days of rounds; the oldest go first.
    /// </summary>
    public const int MaxChanges = 1000;

    private readonly Lock _gate = new();
    private readonly List<ClusterChange> _changes = [];
    private Dictionary<string, string> _config = new(StringComparer.Ordinal);
    private BrokerPods _pods = BrokerPods.Unknown;
    private int _desired;

    /// <summary>Whether any Kafka resource was seen (k3d or external mode with a cluster).</summary>
    public bool Seen { get; private set; }

    public BrokerPods Brokers
    {
        get
        {
            lock (_gate)
            {
                return _pods;
            }
        }
    }

    /// <summary>The broker config now (<c>spec.kafka.config</c>), as text.</summary>
    public IReadOnlyDictionary<string, string> BrokerConfig
    {
        get
        {
            lock (_gate)
            {
                return _config;
            }
        }
    }

    public IReadOnlyList<ClusterChange> Changes
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes];
            }
        }
    }

    public void SetBrokerConfig(JsonObject? config)
    {
        var values = (config ?? []).ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value?.ToJsonString() ?? "", StringComparer.Ordinal);
        lock (_gate)
        {
            _config = values;
            Seen = true;
        }
    }

    public void SetDesiredBrokers(int desired)
    {
        lock (_gate)
        {
            _desired = desired;
        }
    }

    /// <summary>Records the broker pods ready now; a change from the last count is a timeline event.</summary>
    public void SetReadyBrokers(int ready, DateTimeOffset at)
    {
        BrokerPods before;
        BrokerPods now;
        lock (_gate)
        {
            before = _pods;
            now = _pods = new BrokerPods(ready, _desired);
        }

        if (before != BrokerPods.Unknown && (before.Ready != now.Ready || before.Desired != now.Desired))
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"Brokers ready {now.Ready}/{now.Desired}")
                + (now.AllReady ? "" : before.AllReady ? " (restarting)" : "");
            timeline.AddEvent(new TimelineEvent(at, EventKinds.BrokerConfig, text,
                new Dictionary<string, object?> { ["ready"] = now.Ready, ["desired"] = now.Desired }));
        }
    }

    public void Add(ClusterChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            _changes.Add(change);
            if (_changes.Count > MaxChanges)
            {
                _changes.RemoveRange(0, _changes.Count - MaxChanges);
            }
        }
    }
}
