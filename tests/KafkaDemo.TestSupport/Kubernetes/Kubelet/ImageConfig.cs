namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// What the fake's container runtime knows of an image: the parts of its OCI image config that shape
/// a container (register one with <see cref="FakeKubernetesApi.RegisterImage"/>). An image the fake
/// was not told about has no ENV, no WORKDIR and no USER, as if built <c>FROM scratch</c>.
/// </summary>
public sealed record ImageConfig
{
    /// <summary>The image's ENV, in order, as <c>NAME=value</c> (the form of the OCI config's <c>Env</c>).</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>The image's WORKDIR, or null.</summary>
    public string? WorkingDir { get; init; }

    /// <summary>The image's USER (<c>name</c>, <c>uid</c> or <c>uid:gid</c>), or null for root.</summary>
    public string? User { get; init; }
}
