using k8s.Models;
using KafkaDemo.DeploymentContract.Load;

namespace KafkaDemo.Overseer.Discovery;

/// <summary>
/// The instances the load's EndpointSlices stand for: one per ready endpoint that names its pod, across
/// every slice of a Service (the controller splits a Service's endpoints over several slices, and an
/// endpoint may briefly sit in two while it moves: it counts once).
/// </summary>
public static class EndpointSliceSet
{
    /// <summary>
    /// The label every EndpointSlice carries with its Service's name (k8s.io/api v0.32.13
    /// discovery/v1/well_known_labels.go LabelServiceName; the controller sets it,
    /// k8s.io/endpointslice utils.go setEndpointSliceLabels).
    /// </summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The label selector of the slices of the Services producer and consumer.</summary>
    public static string Selector { get; } = $"{ServiceNameLabel} in ({LoadDeployment.Producer},{LoadDeployment.Consumer})";

    /// <summary>The instances, producers first, each group by pod name.</summary>
    public static IReadOnlyList<DiscoveredInstance> Instances(IEnumerable<V1EndpointSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        var found = new Dictionary<string, DiscoveredInstance>(StringComparer.Ordinal);
        foreach (var slice in slices)
        {
            var service = slice.Metadata?.Labels?.TryGetValue(ServiceNameLabel, out var name) == true ? name : null;
            if (service is not (LoadDeployment.Producer or LoadDeployment.Consumer))
            {
                continue;
            }

            // An endpoint's port is the Service port's target resolved for its pod; the slice lists it under the Service port's name.
            if (slice.Ports?.FirstOrDefault(p => p.Name == LoadDeployment.HttpPortName)?.Port is not { } port)
            {
                continue;
            }

            foreach (var endpoint in slice.Endpoints ?? [])
            {
                // "A nil value indicates an unknown state. In most cases consumers should interpret this
                // unknown state as ready" (k8s.io/api v0.32.13 discovery/v1/types.go EndpointConditions.Ready);
                // the EndpointSlice controller always sets it, false for a pod not Ready or terminating.
                if (endpoint.Conditions?.Ready == false
                    || endpoint.TargetRef is not { Kind: "Pod", Name: { Length: > 0 } pod }
                    || endpoint.Addresses?.FirstOrDefault() is not { Length: > 0 } address)
                {
                    continue;
                }

                found.TryAdd(pod, new DiscoveredInstance(pod, service == LoadDeployment.Producer, address, port));
            }
        }

        return [.. found.Values.OrderByDescending(i => i.IsProducer).ThenBy(i => i.Pod, StringComparer.Ordinal)];
    }
}
