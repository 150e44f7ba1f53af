using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.Workloads;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>Pods created through the API pass the ServiceAccount admission plugin, as the Deployment controller's do.</summary>
public sealed class PodAdmissionTests
{
    private const string TokenDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    [Fact]
    public async Task A_pod_whose_service_account_is_missing_is_forbidden()
    {
        await using var cluster = await StartWithNamespaceAsync();

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("lonely", account: null), Namespace, cancellationToken: Token));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.Response.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"lonely\" is forbidden: error looking up service account kafkademo-agent/default: serviceaccount \"default\" not found","reason":"Forbidden","details":{"name":"lonely","kind":"pods"},"code":403}""",
            refused.Response.Content);
        Assert.Null(cluster.Api.Get(ResourceType.Pods, Namespace, "lonely"));
    }

    [Fact]
    public async Task A_pod_created_through_the_api_gets_the_account_and_its_token_volume_and_the_kubelet_starts_it()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var workloads = cluster.Api.DeploymentsRunPods();
        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"vibectl","namespace":"kafkademo-agent"}}"""));

        var created = await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("agent", "vibectl"), Namespace, cancellationToken: Token);
        var defaulted = await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("plain", account: null), Namespace, cancellationToken: Token);
        var withoutToken = Pod("no-token", account: null);
        withoutToken.Spec.AutomountServiceAccountToken = false;
        var bare = await cluster.Client.CoreV1.CreateNamespacedPodAsync(withoutToken, Namespace, cancellationToken: Token);

        var volume = Assert.Single(created.Spec.Volumes, v => v.Name.StartsWith("kube-api-access-", StringComparison.Ordinal));
        Assert.Contains(created.Spec.Containers[0].VolumeMounts, m => m.Name == volume.Name && m.MountPath == TokenDirectory && m.ReadOnlyProperty == true);
        Assert.Equal(("vibectl", "default"), (created.Spec.ServiceAccountName, defaulted.Spec.ServiceAccountName));
        Assert.Null(bare.Spec.Volumes);

        // The kubelet starts it; the token in its volume authenticates as the account.
        var token = "";
        await Eventually.TrueAsync(
            () => Task.FromResult(cluster.Api.FindRunningContainer(Namespace, "agent") is { } running && (token = running.Files.ReadAllText($"{TokenDirectory}/token")).Length > 0),
            Deadline,
            () => "The kubelet did not start the pod created through the API.");
        using var asPod = cluster.ClientFor(token);
        var forbidden = await Assert.ThrowsAsync<HttpOperationException>(() => asPod.CoreV1.ListNamespacedSecretAsync(Namespace, cancellationToken: Token));
        Assert.Contains("system:serviceaccount:kafkademo-agent:vibectl", Parse(forbidden.Response.Content)["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static V1Pod Pod(string name, string? account) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec { ServiceAccountName = account, Containers = [Container()] },
    };
}
