using k8s;
using k8s.Models;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>Deployments and their pods through KubernetesClient, for the tests of the fake's controller and kubelet.</summary>
internal static class Workloads
{
    public const string Namespace = "kafkademo-agent";

    public static V1Deployment Deployment(string name, V1PodSpec spec, int? replicas = 1) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = spec,
            },
        },
    };

    public static V1PodSpec Spec(params V1Container[] containers) => new() { Containers = containers };

    public static V1Container Container(string name = "app", string image = "example/app:1") => new() { Name = name, Image = image };

    public static async Task<FakeCluster> StartWithNamespaceAsync()
    {
        var cluster = await StartAsync();
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } }, cancellationToken: Token);
        return cluster;
    }

    public static async Task<V1Deployment> CreateAsync(FakeCluster cluster, V1Deployment deployment) =>
        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, Namespace, cancellationToken: Token);

    /// <summary>The pods of a Deployment (by its template's label), once they satisfy <paramref name="done"/>.</summary>
    public static async Task<IReadOnlyList<V1Pod>> PodsAsync(FakeCluster cluster, string deployment, Func<IReadOnlyList<V1Pod>, bool> done, string because)
    {
        IReadOnlyList<V1Pod> pods = [];
        await Eventually.TrueAsync(
            async () =>
            {
                pods = [.. (await cluster.Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: $"app={deployment}", cancellationToken: Token)).Items];
                return done(pods);
            },
            Deadline,
            () => $"{because} Pods: {string.Join("; ", pods.Select(Describe))}");
        return pods;
    }

    /// <summary>The one pod of a Deployment, once it is Ready (or, with <paramref name="ready"/> false, once it reports why not).</summary>
    public static async Task<V1Pod> SinglePodAsync(FakeCluster cluster, string deployment, bool ready = true)
    {
        var pods = await PodsAsync(
            cluster,
            deployment,
            p => p.Count == 1 && (ready ? IsReady(p[0]) : p[0].Status?.ContainerStatuses is { Count: > 0 }),
            ready ? "The pod did not become Ready." : "The pod's container never reported its state.");
        return pods[0];
    }

    /// <summary>The Deployment once its status has caught up with its generation and satisfies <paramref name="done"/>.</summary>
    public static async Task<V1Deployment> DeploymentAsync(FakeCluster cluster, string name, Func<V1Deployment, bool> done, string because)
    {
        V1Deployment? deployment = null;
        await Eventually.TrueAsync(
            async () =>
            {
                deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync(name, Namespace, cancellationToken: Token);
                return deployment.Status?.ObservedGeneration == deployment.Metadata.Generation && done(deployment);
            },
            Deadline,
            () => $"{because} Status: {KubernetesJson.Serialize(deployment?.Status)}");
        return deployment!;
    }

    public static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static string Describe(V1Pod pod) => $"{pod.Metadata.Name} {pod.Status?.Phase} ready={IsReady(pod)}";
}
