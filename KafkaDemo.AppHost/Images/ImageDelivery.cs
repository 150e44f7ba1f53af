using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Lifecycle;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Images;

/// <summary>
/// Makes an image runnable in a cluster: "docker build" unless Docker already has that tag (the tag
/// is a hash of the inputs, so an existing tag is the same build), then, by its
/// <see cref="ImageDestination"/>, "k3d image import" (no registry involved) or "docker tag" and
/// "docker push" to the registry (a push of what the registry has uploads nothing again).
/// </summary>
public sealed class ImageDelivery(K3dCli cli)
{
    /// <summary>Returns the reference the pods run it by.</summary>
    /// <exception cref="ClusterSetupException">The build, the import or the push failed.</exception>
    public async Task<string> DeliverAsync(ContainerImage image, ImageDestination destination, ILogger log, Func<string, Task> state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(state);
        if (await cli.ImageExistsAsync(image.Reference, cancellationToken))
        {
            log.LogInformation("Image {Image} is already built (its tag is a hash of its inputs).", image.Reference);
        }
        else
        {
            await state(ImageStates.BuildingImage);
            var context = image.PrepareContext();
            log.LogInformation("Building {Image} from {Context}{Dockerfile}.", image.Reference, context, image.Dockerfile is null ? "" : $" with {image.Dockerfile}");
            await cli.BuildImageAsync(image.Reference, context, image.Dockerfile, image.Needs, line => log.LogInformation("docker: {Line}", line), cancellationToken);
        }

        var reference = destination.ReferenceOf(image);
        switch (destination)
        {
            case K3dImport k3d:
                await state(ImageStates.ImportingImage);
                await cli.ImportImageAsync(image.Reference, k3d.Cluster, line => log.LogInformation("k3d: {Line}", line), cancellationToken);
                break;
            case RegistryPush:
                await state(ImageStates.PushingImage);
                await cli.TagImageAsync(image.Reference, reference, cancellationToken);
                log.LogInformation("Pushing {Image}.", reference);
                await cli.PushImageAsync(reference, line => log.LogInformation("docker: {Line}", line), cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(destination), destination, "Unknown image destination.");
        }

        return reference;
    }
}
