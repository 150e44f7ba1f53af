using KafkaDemo.DeploymentContract.Load;
using KafkaDemo.Messaging.Validation;

namespace KafkaDemo.Overseer.Options;

/// <summary>
/// <c>Overseer:Discovery</c>: where the producers and consumers polled come from. Bound and checked
/// with <see cref="OverseerOptions"/> (its <see cref="OverseerOptions.Discovery"/>), which needs the
/// source to know whether its fixed lists are required.
/// </summary>
public sealed class DiscoveryOptions
{
    public const string SectionName = OverseerOptions.SectionName + ":Discovery";

    /// <summary>The fixed lists <c>Overseer:Producers</c> and <c>Overseer:Consumers</c> (the default), or the load's EndpointSlices.</summary>
    [Defined(ErrorMessage = SectionName + ":Source must be one of {1}; it is {0}.")]
    public DiscoverySource Source { get; set; } = DiscoverySource.Configured;

    /// <summary>The namespace of the load's headless Services, with <see cref="DiscoverySource.Kubernetes"/>.</summary>
    [NotBlank(ErrorMessage = SectionName + ":Namespace must be set.")]
    public string Namespace { get; set; } = LoadDeployment.Namespace;

    /// <summary>How a discovered pod is reached.</summary>
    [Defined(ErrorMessage = SectionName + ":Route must be one of {1}; it is {0}.")]
    public DiscoveryRoute Route { get; set; } = DiscoveryRoute.PodProxy;
}

/// <summary>Where the instances polled come from.</summary>
public enum DiscoverySource
{
    /// <summary>The base URLs listed in <c>Overseer:Producers</c> and <c>Overseer:Consumers</c>, fixed at start.</summary>
    Configured,

    /// <summary>The ready endpoints of the EndpointSlices of the headless Services producer and consumer, followed as they change.</summary>
    Kubernetes,
}

/// <summary>How the Overseer reaches a pod it discovered.</summary>
public enum DiscoveryRoute
{
    /// <summary>Through the API server's pod proxy, with the Overseer's Kubernetes credentials: from the host, with no port mapping.</summary>
    PodProxy,

    /// <summary>Plain HTTP to the pod's IP and port: from inside the cluster.</summary>
    Direct,
}
