using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Settings;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Agent;

/// <summary>
/// Where the agent pod's image comes from. In the k3d cluster: built from <c>k3d/agent</c> and put
/// into the nodes with <c>k3d image import</c> (never pulled). In an existing cluster, which k3d
/// cannot import into: an image the cluster pulls (<c>KafkaDemo:External:AgentImage</c>), or none,
/// and then the agent is not deployed and says why.
/// </summary>
public sealed class AgentImageSource
{
    private readonly Func<ILogger, Func<string, Task>, CancellationToken, Task>? _deliver;

    private AgentImageSource(string? reference, string pullPolicy, Func<ILogger, Func<string, Task>, CancellationToken, Task>? deliver)
    {
        Reference = reference;
        PullPolicy = pullPolicy;
        _deliver = deliver;
    }

    /// <summary>The image the pod runs; null when none is configured.</summary>
    public string? Reference { get; }

    /// <summary>The container's imagePullPolicy.</summary>
    public string PullPolicy { get; }

    /// <summary>Built unless its hash tag exists, and imported into the k3d cluster's nodes; the pod never pulls it.</summary>
    public static AgentImageSource Imported(ImageDelivery delivery, K3dSettings settings)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(settings);
        return new(AgentImage.Reference, "Never",
            (log, state, cancellationToken) => delivery.DeliverAsync(AgentImage.Image(settings.ResolvedStateDirectory), new K3dImport(settings.ClusterName), log, state, cancellationToken));
    }

    /// <summary>An image the cluster pulls from a registry (pushed there by the user), or none (<paramref name="reference"/> empty).</summary>
    public static AgentImageSource Pulled(string? reference) =>
        new(string.IsNullOrWhiteSpace(reference) ? null : reference.Trim(), "IfNotPresent", deliver: null);

    /// <summary>Makes the image available to the cluster; returns its reference.</summary>
    /// <exception cref="ClusterSetupException">No image is configured, or building or importing it failed.</exception>
    public async Task<string> ProvideAsync(ILogger log, Func<string, Task> state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (Reference is null)
        {
            throw new ClusterSetupException(
                "The agent is not deployed: an existing cluster cannot get its image by k3d image import, and KafkaDemo:External:AgentImage names none.",
                $"Build it (docker build -t <registry>/{AgentImage.Repository}:{AgentImage.Tag} k3d/agent), push it to a registry the cluster pulls from, "
                + "and set KafkaDemo:External:AgentImage to it. Kafka, the load and the Overseer run without the agent.");
        }

        if (_deliver is not null)
        {
            await _deliver(log, state, cancellationToken);
        }
        else
        {
            log.LogInformation("The agent's image {Image} is pulled by the cluster (KafkaDemo:External:AgentImage, imagePullPolicy {Policy}).", Reference, PullPolicy);
        }

        return Reference;
    }
}
