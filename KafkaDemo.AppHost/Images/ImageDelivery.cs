using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Lifecycle;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Images;

/// <summary>
/// Puts an image into the k3d cluster's nodes: "docker build" unless Docker already has that tag
/// (the tag is a hash of the inputs, so an existing tag is the same build), then "k3d image import"
/// (no registry involved).
/// </summary>
public sealed class ImageDelivery(K3dCli cli)
{
    /// <exception cref="K3dSetupException">The build or the import failed.</exception>
    public async Task DeliverAsync(ContainerImage image, string cluster, ILogger log, Func<string, Task> state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
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

        await state(ImageStates.ImportingImage);
        await cli.ImportImageAsync(image.Reference, cluster, line => log.LogInformation("k3d: {Line}", line), cancellationToken);
    }
}
