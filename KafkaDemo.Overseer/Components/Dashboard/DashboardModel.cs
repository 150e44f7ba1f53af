using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Overseer.Fleet;
using KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.Overseer.Components.Dashboard;

/// <summary>Everything one render of the page shows, read from the services once per update.</summary>
public sealed record DashboardModel(
    OverseerSummary Summary,
    FleetView Fleet,
    IReadOnlyList<TimelinePoint> Points,
    IReadOnlyList<TimelineEvent> Events)
{
    /// <summary>Chart markers for the events worth seeing on a chart.</summary>
    public IReadOnlyList<ChartMarker> Markers => [.. Events
        .Where(e => e.Kind is EventKinds.Fault or EventKinds.Manual or EventKinds.Agent or EventKinds.BrokerConfig or EventKinds.Fleet
            || (e.Kind == EventKinds.Controller && e.Message.Contains('→', StringComparison.Ordinal)))
        .Select(e => new ChartMarker(e.At.LocalDateTime, ShortLabel(e), MarkerColor(e.Kind), Cause: e.Kind != EventKinds.Controller))];

    public static string MarkerColor(string kind) => kind switch
    {
        EventKinds.Fault => "#e65100",
        EventKinds.SloBreach => "#d32f2f",
        EventKinds.Manual => "#6a1b9a",
        EventKinds.Agent => "#00838f",
        EventKinds.BrokerConfig => "#2e7d32",
        EventKinds.Fleet => "#5d4037",
        _ => "#757575",
    };

    private static string ShortLabel(TimelineEvent e) => e.Kind switch
    {
        EventKinds.Fault => "fault",
        EventKinds.Manual => "manual",
        EventKinds.Agent => "agent",
        EventKinds.BrokerConfig => e.Message.Length <= 28 ? e.Message : e.Message[..27] + "…",
        EventKinds.Fleet => e.Message.Contains(" restarted ", StringComparison.Ordinal) ? "restart" : "fleet",
        _ => e.Details?.TryGetValue("newRate", out var rate) == true && e.Details.TryGetValue("previousRate", out var before)
            && rate is double r && before is double b ? (r > b ? "rate ↑" : "rate ↓") : "controller",
    };
}
