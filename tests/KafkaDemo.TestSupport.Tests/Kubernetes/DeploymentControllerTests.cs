using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.Workloads;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>The opt-in Deployment controller: pods from the template, scale, rollout, replacement and status, seen through KubernetesClient.</summary>
public sealed partial class DeploymentControllerTests
{
    [Fact]
    public async Task A_deployment_gets_its_replicas_as_running_pods_and_a_status_that_says_so()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        var applied = await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(Deployment("web", Spec(Container()), replicas: 2), V1Patch.PatchType.ApplyPatch), "web", Namespace, fieldManager: "kafkademo-apphost", cancellationToken: Token);

        var pods = await PodsAsync(cluster, "web", p => p.Count == 2 && p.All(IsReady), "Two ready pods never came.");
        var deployment = await DeploymentAsync(cluster, "web", d => d.Status.AvailableReplicas == 2, "The deployment never became available.");

        var hash = pods[0].Metadata.Labels["pod-template-hash"];
        Assert.Matches(SafeEncoded(), hash);
        foreach (var pod in pods)
        {
            Assert.Matches($"^web-{hash}-[bcdfghjklmnpqrstvwxz2456789]{{5}}$", pod.Metadata.Name);
            Assert.Equal("web", pod.Metadata.Labels["app"]);
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(("apps/v1", "ReplicaSet", $"web-{hash}", true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Controller));
            Assert.Equal("default", pod.Spec.ServiceAccountName);
            Assert.Equal("fake-node", pod.Spec.NodeName);
            Assert.Equal("Running", pod.Status.Phase);
            Assert.Matches(@"^10\.42\.\d+\.\d+$", pod.Status.PodIP);
            var container = Assert.Single(pod.Status.ContainerStatuses);
            Assert.True(container.Ready);
            Assert.NotNull(container.State.Running);
        }

        Assert.NotEqual(pods[0].Status.PodIP, pods[1].Status.PodIP);
        Assert.Equal(applied.Metadata.Generation, deployment.Status.ObservedGeneration);
        Assert.Equal((2, 2, 2, 2), (deployment.Status.Replicas, deployment.Status.UpdatedReplicas, deployment.Status.ReadyReplicas, deployment.Status.AvailableReplicas));
        Assert.Null(deployment.Status.UnavailableReplicas);
        var available = Assert.Single(deployment.Status.Conditions, c => c.Type == "Available");
        Assert.Equal(("True", "MinimumReplicasAvailable", "Deployment has minimum availability."), (available.Status, available.Reason, available.Message));
        var progressing = Assert.Single(deployment.Status.Conditions, c => c.Type == "Progressing");
        Assert.Equal(("True", "NewReplicaSetAvailable", $"ReplicaSet \"web-{hash}\" has successfully progressed."), (progressing.Status, progressing.Reason, progressing.Message));
        Assert.Contains(deployment.Metadata.ManagedFields, f => f.Manager == "kube-controller-manager" && f.Subresource == "status");
    }

    [Fact]
    public async Task Scaling_adds_and_removes_pods_of_the_same_template()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        await CreateAsync(cluster, Deployment("web", Spec(Container()), replicas: null));
        var first = await PodsAsync(cluster, "web", p => p.Count == 1 && p.All(IsReady), "spec.replicas unset should mean one pod.");

        await Scale(cluster, 3);
        var three = await PodsAsync(cluster, "web", p => p.Count == 3 && p.All(IsReady), "The deployment did not scale up to 3.");
        Assert.Contains(three, p => p.Metadata.Uid == first[0].Metadata.Uid);
        Assert.Single(three.Select(p => p.Metadata.Labels["pod-template-hash"]).Distinct());
        await DeploymentAsync(cluster, "web", d => d.Status.AvailableReplicas == 3 && d.Status.Replicas == 3, "The status did not follow the scale-up.");

        await Scale(cluster, 1);
        await PodsAsync(cluster, "web", p => p.Count == 1, "The deployment did not scale down to 1.");
        var deployment = await DeploymentAsync(cluster, "web", d => d.Status.Replicas == 1, "The status did not follow the scale-down.");
        Assert.Equal((1, 1, 1), (deployment.Status.UpdatedReplicas, deployment.Status.ReadyReplicas, deployment.Status.AvailableReplicas));

        await Scale(cluster, 0);
        await PodsAsync(cluster, "web", p => p.Count == 0, "Zero replicas should leave no pods.");
        deployment = await DeploymentAsync(cluster, "web", d => d.Status.Replicas is null, "The status did not follow the scale to zero.");
        Assert.Null(deployment.Status.AvailableReplicas);
        Assert.Equal("True", Assert.Single(deployment.Status.Conditions, c => c.Type == "Available").Status);
    }

    [Fact]
    public async Task A_new_template_replaces_the_pods_new_ones_first()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods(TimeSpan.FromMilliseconds(100));
        await CreateAsync(cluster, Deployment("web", Spec(Container()), replicas: 2));
        var old = await PodsAsync(cluster, "web", p => p.Count == 2 && p.All(IsReady), "The first pods did not start.");
        var list = await cluster.Client.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: Token);
        using var deadline = DeadlineToken();
        var events = new List<(WatchEventType Type, string Name, bool Ready)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, pod) in cluster.Client.CoreV1.WatchListNamespacedPodAsync(Namespace, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: deadline.Token))
            {
                events.Add((type, pod.Metadata.Name, IsReady(pod)));
                if (events.Count(e => e.Type == WatchEventType.Deleted) == 2)
                {
                    return;
                }
            }
        }, Token);

        var patch = new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"example/app:2"}]}}}}""", V1Patch.PatchType.MergePatch);
        await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(patch, "web", Namespace, cancellationToken: Token);
        await watching.WaitAsync(Deadline, Token);

        var current = await PodsAsync(cluster, "web", p => p.Count == 2 && p.All(IsReady), "The new pods did not take over.");
        Assert.DoesNotContain(current, p => old.Any(o => o.Metadata.Uid == p.Metadata.Uid));
        Assert.All(current, p => Assert.Equal("example/app:2", p.Spec.Containers[0].Image));
        Assert.NotEqual(old[0].Metadata.Labels["pod-template-hash"], current[0].Metadata.Labels["pod-template-hash"]);

        // Both new pods were Ready before the first old one went.
        var firstDeletion = events.FindIndex(e => e.Type == WatchEventType.Deleted);
        Assert.All(current, p => Assert.Contains(events.Take(firstDeletion), e => e.Name == p.Metadata.Name && e.Ready));
        Assert.Equal(old.Select(p => p.Metadata.Name).Order(), events.Where(e => e.Type == WatchEventType.Deleted).Select(e => e.Name).Order());
        var deployment = await DeploymentAsync(cluster, "web", d => d.Status.Replicas == 2 && d.Status.UpdatedReplicas == 2, "The status did not settle on the new pods.");
        Assert.Equal(2, deployment.Status.ObservedGeneration);
    }

    [Fact]
    public async Task A_deleted_pod_is_replaced_and_a_deleted_deployment_takes_its_pods()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        await CreateAsync(cluster, Deployment("web", Spec(Container())));
        var first = await SinglePodAsync(cluster, "web");

        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(first.Metadata.Name, Namespace, cancellationToken: Token);
        var second = await PodsAsync(cluster, "web", p => p.Count == 1 && p[0].Metadata.Uid != first.Metadata.Uid && IsReady(p[0]), "The deleted pod was not replaced.");
        Assert.Equal(first.Metadata.Labels["pod-template-hash"], second[0].Metadata.Labels["pod-template-hash"]);

        await cluster.Client.AppsV1.DeleteNamespacedDeploymentAsync("web", Namespace, cancellationToken: Token);
        await PodsAsync(cluster, "web", p => p.Count == 0, "The deployment's pods outlived it.");
    }

    [Fact]
    public async Task Pods_wait_for_their_service_account_as_admission_refuses_them_until_it_exists()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        var spec = Spec(Container());
        spec.ServiceAccountName = "vibectl";
        await CreateAsync(cluster, Deployment("agent", spec));

        var refused = await DeploymentAsync(cluster, "agent", d => d.Status.Conditions?.Any(c => c.Type == "ReplicaFailure") == true, "The missing account was not reported.");
        var failure = Assert.Single(refused.Status.Conditions, c => c.Type == "ReplicaFailure");
        Assert.Equal(("True", "FailedCreate"), (failure.Status, failure.Reason));
        var message = Refusal().Match(failure.Message);
        Assert.True(message.Success, failure.Message);
        Assert.Equal("False", Assert.Single(refused.Status.Conditions, c => c.Type == "Available").Status);
        Assert.Empty(cluster.Api.List(ResourceType.Pods, Namespace));
        Assert.Equal(1, refused.Status.UnavailableReplicas);

        await cluster.Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "vibectl" } }, Namespace, cancellationToken: Token);
        var pod = await SinglePodAsync(cluster, "agent");
        Assert.Equal("vibectl", pod.Spec.ServiceAccountName);
        Assert.Equal(message.Groups["hash"].Value, pod.Metadata.Labels["pod-template-hash"]);
        var settled = await DeploymentAsync(cluster, "agent", d => d.Status.AvailableReplicas == 1, "The deployment did not recover.");
        Assert.DoesNotContain(settled.Status.Conditions, c => c.Type == "ReplicaFailure");
    }

    [Fact]
    public async Task Every_namespace_gets_its_default_service_account_and_root_ca()
    {
        await using var cluster = await StartAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "later" } }, cancellationToken: Token);

        foreach (var ns in new[] { "default", "kube-system", "later" })
        {
            await Eventually.TrueAsync(() => cluster.Api.Get(ResourceType.ServiceAccounts, ns, "default") is not null, Deadline, $"{ns} has no default service account.");
            var ca = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("kube-root-ca.crt", ns, cancellationToken: Token);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", ca.Data["ca.crt"], StringComparison.Ordinal);
        }
    }

    private static Task<V1Deployment> Scale(FakeCluster cluster, int replicas) =>
        cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch($$$"""{"spec":{"replicas":{{{replicas}}}}}""", V1Patch.PatchType.MergePatch), "web", Namespace, cancellationToken: Token);

    [GeneratedRegex("""^pods "agent-(?<hash>[bcdfghjklmnpqrstvwxz2456789]+)-" is forbidden: error looking up service account kafkademo-agent/vibectl: serviceaccount "vibectl" not found$""")]
    private static partial Regex Refusal();

    [GeneratedRegex("^[bcdfghjklmnpqrstvwxz2456789]{6,10}$")]
    private static partial Regex SafeEncoded();
}
