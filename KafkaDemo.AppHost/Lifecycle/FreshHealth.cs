using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaDemo.AppHost.Lifecycle;

/// <summary>
/// The second half of a WaitFor after a dependency ran again. Aspire's WaitFor releases once the
/// dependency is Running, Healthy by its last health reports, and its ResourceReadyEvent has fired
/// (Aspire 13.6 ResourceNotificationService.WaitUntilHealthyAsync). When the dependency left Running
/// and came back (a recreated cluster), none of that is fresh: Aspire keeps its health monitor and
/// its last reports through non-terminal states and fires ResourceReadyEvent only once per monitor
/// (ResourceHealthCheckService), and a resource cannot reset its own reports (CustomResourceSnapshot.HealthReports
/// has an internal init). So after the gate a lifecycle also waits for reports that ran since the
/// dependency last started; Aspire runs one within about a second of each state change.
/// </summary>
public static class FreshHealth
{
    /// <summary>
    /// Waits until <paramref name="dependency"/> is Running and every health report of it ran since it
    /// last started and is Healthy (true), or until it is no longer Running (false: wait at the gate again).
    /// </summary>
    public static async Task<bool> WaitForFreshHealthAsync(this ResourceNotificationService notifications, IResource dependency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notifications);
        ArgumentNullException.ThrowIfNull(dependency);
        var seen = await notifications.WaitForResourceAsync(dependency.Name, e => !e.Snapshot.IsRunning() || IsFreshlyHealthy(e.Snapshot), cancellationToken);
        return seen.Snapshot.IsRunning();
    }

    /// <summary>Running, Healthy, and each report ran at or after the start.</summary>
    public static bool IsFreshlyHealthy(CustomResourceSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.IsRunning() && snapshot.HealthStatus == HealthStatus.Healthy
            && snapshot.HealthReports.All(r => r.LastRunAt is { } ran && (snapshot.StartTimeStamp is not { } started || ran >= started));
    }
}
