namespace KafkaDemo.AppHost.Images;

/// <summary>
/// Where a built image goes so that a cluster can run it: the one choice between the k3d cluster
/// (<see cref="K3dImport"/>, no registry) and an existing cluster (<see cref="RegistryPush"/>).
/// <see cref="ImageDelivery"/> acts on it.
/// </summary>
public abstract record ImageDestination
{
    /// <summary>The reference the pods run the image by.</summary>
    public abstract string ReferenceOf(ContainerImage image);
}

/// <summary>Into the k3d cluster's nodes with "k3d image import": the pods run the local name.</summary>
/// <param name="Cluster">The k3d cluster's name.</param>
public sealed record K3dImport(string Cluster) : ImageDestination
{
    public override string ReferenceOf(ContainerImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.Reference;
    }
}

/// <summary>To a registry the cluster pulls from: tagged <c>&lt;Registry&gt;/&lt;name&gt;:&lt;hash&gt;</c> and pushed.</summary>
/// <param name="Registry">KafkaDemo:External:Registry, e.g. registry.example.com/kafkademo.</param>
public sealed record RegistryPush(string Registry) : ImageDestination
{
    public override string ReferenceOf(ContainerImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return $"{Registry.TrimEnd('/')}/{image.Reference}";
    }
}
