using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// The agent's pods on a fake Kubernetes API, whoever applies its objects (<see cref="AgentWorld"/>
/// from the repository's files, or the AppHost itself): the fake's Deployment controller and
/// kubelet run the pods the applied Deployment describes, with the environment and files it gives
/// them, and the agent container's programs answer every exec into them.
/// </summary>
public sealed class AgentPods : IAsyncDisposable
{
    private readonly IDisposable workloads;

    private AgentPods(FakeKubernetesApi api, AgentContainerPrograms programs, IDisposable workloads)
    {
        Programs = programs;
        View = new AgentView(api, programs);
        this.workloads = workloads;
    }

    /// <summary>The agent container's programs.</summary>
    public AgentContainerPrograms Programs { get; }

    /// <summary>The agent's current pod as tests look at it.</summary>
    public AgentView View { get; }

    /// <summary>Attaches the programs (the image registered with the fake) and starts the Deployment controller.</summary>
    /// <param name="podStartDelay">How long the kubelet takes to start a pod.</param>
    public static AgentPods Run(FakeKubernetesApi api, AgentContainerOptions? options = null, TimeSpan podStartDelay = default)
    {
        ArgumentNullException.ThrowIfNull(api);
        var programs = AgentContainerPrograms.Attach(api, options);
        return new AgentPods(api, programs, api.DeploymentsRunPods(podStartDelay));
    }

    public async ValueTask DisposeAsync()
    {
        workloads.Dispose();
        await Programs.DisposeAsync();
    }
}
