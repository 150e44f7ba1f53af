using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Lifecycle;

/// <summary>
/// How a custom resource waits for what it depends on, written once for every lifecycle. Aspire's
/// WaitFor is a subscriber of <see cref="BeforeResourceStartedEvent"/> (Aspire 13.6
/// ApplicationOrchestrator.WaitForInBeforeResourceStartedEvent) and nobody publishes that event for a
/// custom resource, so its lifecycle publishes it itself: that is the gate. No state of the resource's
/// own may be published while it waits there: any would release the wait. Both methods return when
/// the AppHost stops, and never throw: InitializeResourceEvent is published NonBlockingConcurrent, so
/// an exception would not be observed; an unexpected one ends in FailedToStart with its message.
/// </summary>
public sealed class DependencyGate(ResourceNotificationService notifications, IHostApplicationLifetime lifetime, ILogger<DependencyGate> appLog)
{
    /// <summary>The gate once, then <paramref name="run"/> (for a resource whose dependency does not come and go).</summary>
    /// <param name="unavailable">What failed if the gate throws, before its message: "The embedded Kafka process is not available".</param>
    public async Task PassOnceAsync(InitializeResourceEvent e, Func<CancellationToken, Task> run, string unavailable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(run);
        // InitializeResourceEvent's token is the host's start token, not cancelled at shutdown (Aspire 13.6 OrchestratorHostService.StartAsync).
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            try
            {
                await e.Eventing.PublishAsync(new BeforeResourceStartedEvent(e.Resource, e.Services), stopping.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                await notifications.FailedAsync(e.Resource, e.Logger, appLog, $"{unavailable}: {ex.Message}");
                return;
            }

            await run(stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // the AppHost stops
        }
        catch (Exception ex)
        {
            await notifications.FailedAsync(e.Resource, e.Logger, appLog, ex.Message);
        }
    }

    /// <summary>
    /// Follows <paramref name="dependency"/> for as long as the AppHost runs: the gate; reports of the
    /// dependency's health fresh since it last started (<see cref="FreshHealth"/>); <paramref name="run"/>
    /// with a token cancelled when the dependency leaves Running; then NotStarted again (so that Aspire
    /// shows the resource Waiting at the next gate) and round again. If the gate throws (the dependency
    /// failed, with <see cref="WaitBehavior.StopOnResourceUnavailable"/>), the resource fails naming it
    /// until the dependency leaves its terminal state.
    /// </summary>
    /// <param name="dependencyText">The dependency in a sentence: "The k3d cluster", "Kafka".</param>
    /// <param name="run">The work against the dependency; it should return (not throw) when its token is cancelled, and publish its own failures.</param>
    public async Task FollowAsync(InitializeResourceEvent e, IResource dependency, string dependencyText, Func<CancellationToken, Task> run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(dependency);
        ArgumentNullException.ThrowIfNull(run);
        var resource = e.Resource;
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var token = stopping.Token;
        try
        {
            while (true)
            {
                try
                {
                    await e.Eventing.PublishAsync(new BeforeResourceStartedEvent(resource, e.Services), token);
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    await notifications.FailedAsync(resource, e.Logger, appLog, $"{dependencyText} is not available: {ex.Message}");
                    await notifications.WaitForResourceAsync(dependency.Name, d => !KnownResourceStates.TerminalStates.Contains(d.Snapshot.State?.Text), token);
                    await notifications.NotStartedAgainAsync(resource);
                    continue;
                }

                if (!await notifications.WaitForFreshHealthAsync(dependency, token))
                {
                    continue; // the dependency went again before a fresh health report
                }

                using var whileUp = CancellationTokenSource.CreateLinkedTokenSource(token);
                var left = WhenLeavesRunningAsync(dependency, whileUp, token);
                await run(whileUp.Token);
                var state = await left;
                e.Logger.LogInformation("{Dependency} is {State}: {Resource} waits for it again.", dependencyText, state, resource.Name);
                await notifications.NotStartedAgainAsync(resource);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // the AppHost stops
        }
        catch (Exception ex)
        {
            await notifications.FailedAsync(resource, e.Logger, appLog, ex.Message);
        }
    }

    /// <summary>Waits until the dependency leaves Running, then cancels <paramref name="whileUp"/> (the work against it); returns its state.</summary>
    private async Task<string?> WhenLeavesRunningAsync(IResource dependency, CancellationTokenSource whileUp, CancellationToken stopping)
    {
        var gone = await notifications.WaitForResourceAsync(dependency.Name, d => !d.Snapshot.IsRunning(), stopping);
        await whileUp.CancelAsync();
        return gone.Snapshot.State?.Text;
    }
}
