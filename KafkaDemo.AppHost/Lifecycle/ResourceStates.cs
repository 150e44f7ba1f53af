using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Lifecycle;

/// <summary>Publishes a custom resource's state to the dashboard (and to Aspire's WaitFor).</summary>
public static class ResourceStates
{
    public static Task SetAsync(this ResourceNotificationService notifications, IResource resource, string state, string? style = null) =>
        notifications.PublishUpdateAsync(resource, s => s with { State = new ResourceStateSnapshot(state, style ?? KnownResourceStateStyles.Info) });

    public static Task RunningAsync(this ResourceNotificationService notifications, IResource resource, params (string Name, object Value)[] properties) =>
        notifications.PublishUpdateAsync(resource, s => s with
        {
            State = new ResourceStateSnapshot(KnownResourceStates.Running, KnownResourceStateStyles.Success),
            StartTimeStamp = DateTime.UtcNow,
            StopTimeStamp = null,
            Properties = [.. s.Properties.Where(p => !properties.Any(n => n.Name == p.Name)), .. properties.Select(p => new ResourcePropertySnapshot(p.Name, p.Value))],
        });

    /// <summary>Marks the resource failed, and logs the reason in its console and in the AppHost's.</summary>
    public static async Task FailedAsync(this ResourceNotificationService notifications, IResource resource, ILogger resourceLog, ILogger appLog, string message)
    {
        resourceLog.LogError("{Message}", message);
        appLog.LogError("{Resource} failed: {Message}", resource.Name, message);
        await notifications.PublishUpdateAsync(resource, s => s with
        {
            State = new ResourceStateSnapshot(KnownResourceStates.FailedToStart, KnownResourceStateStyles.Error),
            StopTimeStamp = DateTime.UtcNow,
        });
    }

    /// <summary>
    /// Puts a resource that ran back before its start, so that publishing
    /// <see cref="BeforeResourceStartedEvent"/> again makes Aspire show it Waiting and hold it until its
    /// WaitFor dependencies are ready: Aspire 13.6 moves only a NotStarted, Starting or Waiting resource
    /// to Waiting (ResourceNotificationService.CanTransitionToWaiting).
    /// </summary>
    public static Task NotStartedAgainAsync(this ResourceNotificationService notifications, IResource resource) =>
        notifications.PublishUpdateAsync(resource, s => s with { State = KnownResourceStates.NotStarted, StopTimeStamp = DateTime.UtcNow });

    /// <summary>Whether the snapshot says Running.</summary>
    public static bool IsRunning(this CustomResourceSnapshot snapshot) => snapshot.State?.Text == KnownResourceStates.Running;
}
