namespace KafkaDemo.DeploymentContract.Load;

/// <summary>
/// The load in Kubernetes (<c>deploy/load</c>) as the AppHost applies it with
/// <c>KafkaDemo:Placement=cluster</c>, the Overseer finds its instances, and the tests check it: the
/// names all of them must agree on, written once. The YAML files carry them too;
/// <c>DeployManifestTests</c> checks that they agree.
/// </summary>
public static class LoadDeployment
{
    /// <summary>Where the producers, the consumers and the HMAC secret live; nothing else has a Role here that reads Secrets.</summary>
    public const string Namespace = "kafkademo-load";

    /// <summary>The producers' Deployment and its headless Service (one EndpointSlice endpoint per ready pod).</summary>
    public const string Producer = "producer";

    /// <summary>The consumers' Deployment and its headless Service.</summary>
    public const string Consumer = "consumer";

    /// <summary>The container port's name in both Deployments and the Services' port name.</summary>
    public const string HttpPortName = "http";

    /// <summary>The port every service image listens on (<c>ASPNETCORE_HTTP_PORTS</c> of the ASP.NET base image).</summary>
    public const int HttpPort = 8080;

    /// <summary>The label the pods and Services carry with the Deployment's name.</summary>
    public const string NameLabel = "app.kubernetes.io/name";

    /// <summary>The Secret with the signing secret (producers and consumers), created from the AppHost's <c>hmac-secret</c> parameter.</summary>
    public const string HmacSecretName = "kafkademo-hmac";

    /// <summary>The key of <see cref="HmacSecretName"/>.</summary>
    public const string HmacSecretKey = "hmac-secret";

    /// <summary>The Secret with the control token (producers here, the Overseer in its own namespace), from the <c>control-token</c> parameter.</summary>
    public const string ControlSecretName = "kafkademo-control";

    /// <summary>The key of <see cref="ControlSecretName"/>.</summary>
    public const string ControlSecretKey = "token";

    /// <summary>The selector of a Deployment's pods, as the Deployments and Services write it.</summary>
    public static string PodSelector(string deployment) => $"{NameLabel}={deployment}";
}
