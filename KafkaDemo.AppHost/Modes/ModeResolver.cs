using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Settings;

namespace KafkaDemo.AppHost.Modes;

/// <summary>Turns the requested mode into the mode that will run, with the reason for the choice.</summary>
public static class ModeResolver
{
    /// <summary>
    /// <c>auto</c> picks k3d when <c>docker info</c> and <c>k3d version</c> both succeed, and the
    /// embedded Kafka otherwise; the reason says which check decided.
    /// </summary>
    public static async Task<ModeDecision> ResolveAsync(DemoMode requested, K3dCli cli, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        switch (requested)
        {
            case DemoMode.Embedded:
                return new ModeDecision(DemoMode.Embedded, "KafkaDemo:Mode is embedded.");
            case DemoMode.External:
                return new ModeDecision(DemoMode.External, "KafkaDemo:Mode is external.");
            case DemoMode.K3d:
                return new ModeDecision(DemoMode.K3d, "KafkaDemo:Mode is k3d.");
            case DemoMode.Auto:
                try
                {
                    var docker = await cli.DockerInfoAsync(cancellationToken);
                    var k3d = await cli.K3dVersionAsync(cancellationToken);
                    return new ModeDecision(DemoMode.K3d, $"KafkaDemo:Mode is auto, and Docker {docker.ServerVersion} and k3d v{k3d} work, so Kafka runs in k3d.");
                }
                catch (K3dSetupException ex)
                {
                    return new ModeDecision(DemoMode.Embedded, $"KafkaDemo:Mode is auto and the k3d mode cannot run here ({ex.Cause}), so the embedded Kafka runs.");
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(requested), requested, "Unknown mode.");
        }
    }

    /// <summary>
    /// KafkaDemo:Placement=cluster builds the service images with Docker before anything starts, so
    /// without a working Docker the AppHost stops here, with Docker's own message and the fix.
    /// </summary>
    /// <exception cref="K3dSetupException">Docker is missing or not running.</exception>
    public static async Task CheckPlacementAsync(LoadPlacement placement, K3dCli cli, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        if (placement == LoadPlacement.Cluster)
        {
            try
            {
                await cli.DockerInfoAsync(cancellationToken);
            }
            catch (K3dSetupException ex)
            {
                throw new K3dSetupException($"KafkaDemo:Placement=cluster builds the producer and consumer images with Docker: {ex.Cause}", ex.Fix, ex);
            }
        }
    }
}
