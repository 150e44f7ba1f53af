using KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.Overseer.StrimziWatch;

/// <summary>Puts every change the watch sees on the timeline (and so on the charts), with what changed and who changed it.</summary>
public sealed class ClusterChangeEvents(RunTimeline timeline) : IClusterChangeListener
{
    public void OnClusterChange(ClusterChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        timeline.AddEvent(new TimelineEvent(change.At, EventKinds.BrokerConfig, change.Line,
            new Dictionary<string, object?>
            {
                ["resource"] = change.Resource,
                ["kind"] = ClusterChangeKinds.Name(change.Kind),
                ["generation"] = change.Generation,
                ["fieldManager"] = change.FieldManager,
                ["changes"] = change.Changes.Select(c => new Dictionary<string, object?> { ["setting"] = c.Path, ["before"] = c.Before, ["after"] = c.After }).ToList(),
            }));
    }
}
