using System.Globalization;
using KafkaDemo.Overseer.KubernetesApi;
using KafkaDemo.Overseer.Options;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Discovery;

/// <summary>
/// The producers and consumers to poll and to command now (<c>Overseer:Discovery</c>): the configured
/// base URLs, fixed at start, or the pods the load's EndpointSlices list, through the pod proxy or direct.
/// </summary>
public sealed class FleetMembers(IOptions<OverseerOptions> options, DiscoveredInstances discovered, ClusterConnection cluster)
{
    private readonly OverseerOptions _options = options.Value;
    private readonly IReadOnlyList<FleetMember> _configured =
    [
        .. options.Value.Producers.Select(url => new FleetMember(url, true, InstanceAddress.Url(url))),
        .. options.Value.Consumers.Select(url => new FleetMember(url, false, InstanceAddress.Url(url))),
    ];

    /// <summary>Whether the set follows the cluster (and changes at run time).</summary>
    public bool Discovered => _options.Discovery.Source == DiscoverySource.Kubernetes;

    public IReadOnlyList<FleetMember> Current() =>
        Discovered ? [.. discovered.Current.Select(Member)] : _configured;

    private FleetMember Member(DiscoveredInstance instance)
    {
        InstanceAddress address = _options.Discovery.Route == DiscoveryRoute.Direct
            ? InstanceAddress.Url(string.Create(CultureInfo.InvariantCulture, $"http://{Host(instance.PodIP)}:{instance.Port}"))
            : new PodProxyAddress(cluster, _options.Discovery.Namespace, instance.Pod, instance.Port);
        return new FleetMember(instance.Pod, instance.IsProducer, address);
    }

    /// <summary>An IPv6 address in brackets, as a URL's host.</summary>
    private static string Host(string ip) => ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : ip;
}
