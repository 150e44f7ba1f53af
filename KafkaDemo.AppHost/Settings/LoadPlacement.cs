namespace KafkaDemo.AppHost.Settings;

/// <summary>Where the producers and consumers run (<c>KafkaDemo:Placement</c>).</summary>
public enum LoadPlacement
{
    /// <summary>As processes on this machine, one dashboard resource each.</summary>
    Host,

    /// <summary>As the Deployments of deploy/load in the k3d cluster (k3d mode only, for now).</summary>
    Cluster,
}
