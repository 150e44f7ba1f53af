using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.KubectlTool;
using static KafkaDemo.TestSupport.Tests.Kubernetes.Workloads;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>The Deployment's scale subresource (autoscaling/v1 Scale), as the AppHost's scale commands and <c>kubectl scale</c> use it.</summary>
public sealed class ScaleTests
{
    [Fact]
    public async Task A_merge_patch_of_the_scale_changes_the_replicas_and_the_controller_follows()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controllers = cluster.Api.DeploymentsRunPods();
        await CreateAsync(cluster, Deployment("web", Spec(Container()), replicas: 1));
        await PodsAsync(cluster, "web", p => p.Count == 1 && p.All(IsReady), "The first pod never came.");

        var scaled = await cluster.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "web", Namespace, cancellationToken: Token);
        Assert.Equal(("autoscaling/v1", "Scale", "web", Namespace, 3), (scaled.ApiVersion, scaled.Kind, scaled.Metadata.Name, scaled.Metadata.NamespaceProperty, scaled.Spec.Replicas));
        await PodsAsync(cluster, "web", p => p.Count == 3 && p.All(IsReady), "The scale-up to 3 did not make pods.");

        var read = await cluster.Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", Namespace, cancellationToken: Token);
        await Eventually.TrueAsync(
            async () => (read = await cluster.Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", Namespace, cancellationToken: Token)).Status.Replicas == 3,
            Deadline,
            "The scale's status did not follow the Deployment's.");
        Assert.Equal("app=web", read.Status.Selector);
        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", Namespace, cancellationToken: Token);
        Assert.Equal((3, deployment.Metadata.Uid, deployment.Metadata.ResourceVersion), (deployment.Spec.Replicas, read.Metadata.Uid, read.Metadata.ResourceVersion));

        read.Spec.Replicas = 2;
        var replaced = await cluster.Client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(read, "web", Namespace, cancellationToken: Token);
        Assert.Equal(2, replaced.Spec.Replicas);
        await PodsAsync(cluster, "web", p => p.Count == 2, "The replace to 2 did not remove a pod.");

        // The resourceVersion a Scale carries is a precondition, as on the Deployment.
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(read, "web", Namespace, cancellationToken: Token));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, stale.Response.StatusCode);

        var negative = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""{"spec":{"replicas":-1}}""", V1Patch.PatchType.MergePatch), "web", Namespace, cancellationToken: Token));
        Assert.Equal(422, (int)negative.Response.StatusCode);
        Assert.Contains("""Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0""", negative.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_scale_patches_the_subresource_and_rbac_sees_deployments_scale()
    {
        var kubectl = Find();
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        using var controllers = cluster.Api.DeploymentsRunPods();
        var web = Deployment("web", Spec(Container()), replicas: 1);
        web.Metadata.NamespaceProperty = Rbac.Namespace;
        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(web, Rbac.Namespace, cancellationToken: Token);

        Assert.Equal("deployment.apps/web scaled", await RunAsync(kubectl, cluster, "scale", "deployment", "web", "--replicas=2", "-n", Rbac.Namespace));
        var patch = Assert.Single(cluster.Api.Requests, r => r.Method == "PATCH");
        Assert.Equal(($"/apis/apps/v1/namespaces/{Rbac.Namespace}/deployments/web/scale", "application/merge-patch+json", """{"spec":{"replicas":2}}"""), (patch.Path, patch.ContentType, patch.Body));
        Assert.Equal(2, (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", Rbac.Namespace, cancellationToken: Token)).Spec.Replicas);

        using var agent = cluster.ClientFor(token);
        var message = await Rbac.ForbiddenMessageAsync(() => agent.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "web", Rbac.Namespace, cancellationToken: Token));
        Assert.Equal($"deployments.apps \"web\" is forbidden: User \"{Rbac.UserName}\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"{Rbac.Namespace}\"", message);

        Rbac.Grant(cluster.Api, "scaler", """[{"apiGroups":["apps"],"resources":["deployments/scale"],"verbs":["get","patch"]}]""");
        var scaled = await agent.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "web", Rbac.Namespace, cancellationToken: Token);
        Assert.Equal(3, scaled.Spec.Replicas);
    }
}
