using KafkaDemo.AppHost.Images;
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
                catch (ClusterSetupException ex)
                {
                    return new ModeDecision(DemoMode.Embedded, $"KafkaDemo:Mode is auto and the k3d mode cannot run here ({ex.Cause}), so the embedded Kafka runs.");
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(requested), requested, "Unknown mode.");
        }
    }

    /// <summary>
    /// KafkaDemo:Placement=cluster builds the service images with Docker and imports them with k3d before
    /// anything of the load starts, so without a working Docker and k3d the AppHost stops here, with the
    /// tool's own message and the fix (the alternatives: the embedded or auto mode, with the load on the host).
    /// </summary>
    /// <exception cref="ClusterSetupException">Docker or k3d is missing or not working.</exception>
    public static async Task CheckPlacementAsync(LoadPlacement placement, K3dCli cli, CancellationToken cancellationToken, ImageDestination? destination = null)
    {
        ArgumentNullException.ThrowIfNull(cli);
        if (placement != LoadPlacement.Cluster)
        {
            return;
        }

        try
        {
            await cli.DockerInfoAsync(cancellationToken);
            if (destination is RegistryPush)
            {
                // An existing cluster: the images are pushed with docker, k3d plays no part.
                return;
            }

            await cli.K3dVersionAsync(cancellationToken);
        }
        catch (ClusterSetupException ex) when (destination is RegistryPush push)
        {
            throw new ClusterSetupException(
                $"KafkaDemo:Placement=cluster builds the producer and consumer images with Docker and pushes them to {push.Registry}: {ex.Cause}",
                $"{ex.Fix} The load then runs on the host: KafkaDemo:Placement=host.", ex);
        }
        catch (ClusterSetupException ex)
        {
            throw new ClusterSetupException(
                $"KafkaDemo:Placement=cluster builds the producer and consumer images with Docker and imports them with k3d: {ex.Cause}",
                $"{ex.Fix} The load then runs on the host: KafkaDemo:Placement=host (KafkaDemo:Mode=auto picks k3d only where Docker and k3d work).", ex);
        }
    }
}
