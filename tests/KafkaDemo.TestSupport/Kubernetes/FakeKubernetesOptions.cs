namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>How a <see cref="FakeKubernetesApi"/> behaves.</summary>
public sealed class FakeKubernetesOptions
{
    /// <summary>The clock for creationTimestamp, managedFields times and condition times.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// How long after a CustomResourceDefinition is written it becomes Established (and its resources
    /// served). Zero means as soon as possible, still as a separate write after the one that created it.
    /// </summary>
    public TimeSpan CrdEstablishDelay { get; init; } = TimeSpan.Zero;

    /// <summary>How many changes watches can replay; a watch from an older resourceVersion gets 410 Expired.</summary>
    public int WatchHistoryLimit { get; init; } = 100_000;

    /// <summary>The namespaces that exist from the start, as on a new cluster.</summary>
    public IReadOnlyList<string> InitialNamespaces { get; init; } = ["default", "kube-system", "kube-public", "kube-node-lease"];
}
