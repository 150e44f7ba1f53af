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

    /// <summary>
    /// managedFields as apimachinery v0.32.13 pkg/util/managedfields/scalehandler.go ScaleHandler.ToParent makes
    /// them, in the steps of kubernetes test/integration/apiserver/scale_test.go TestScaleAllResources and
    /// TestScaleUpdateOnlyStatus: the scaler takes spec.replicas from the applier (an entry without a time), a
    /// scale that keeps the count changes no ownership, and applying the old count again conflicts.
    /// </summary>
    [Fact]
    public async Task A_scale_takes_spec_replicas_from_the_applier_in_an_entry_without_a_time()
    {
        await using var cluster = await StartWithNamespaceAsync();
        var applied = KubernetesJson.Serialize(Deployment("web", Spec(Container()), replicas: 1));
        await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(applied, V1Patch.PatchType.ApplyPatch), "web", Namespace, fieldManager: "apply_test", cancellationToken: Token);

        await cluster.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), "web", Namespace, fieldManager: "scale_test", cancellationToken: Token);
        var entries = (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", Namespace, cancellationToken: Token)).Metadata.ManagedFields;
        var scaler = Assert.Single(entries, e => e.Manager == "scale_test");
        Assert.Equal(("Update", "apps/v1", "scale", null), (scaler.Operation, scaler.ApiVersion, scaler.Subresource, scaler.Time));
        Assert.Equal("""{"f:spec":{"f:replicas":{}}}""", KubernetesJson.Serialize(scaler.FieldsV1));
        var applier = Assert.Single(entries, e => e.Manager == "apply_test");
        Assert.NotNull(applier.Time);
        Assert.DoesNotContain("f:replicas", KubernetesJson.Serialize(applier.FieldsV1), StringComparison.Ordinal);

        // The same count again, by someone else: nobody's ownership changes, and no entry is added.
        await cluster.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), "web", Namespace, fieldManager: "same_count", cancellationToken: Token);
        var after = (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", Namespace, cancellationToken: Token)).Metadata.ManagedFields;
        Assert.DoesNotContain(after, e => e.Manager == "same_count");
        Assert.Contains("f:replicas", KubernetesJson.Serialize(Assert.Single(after, e => e.Manager == "scale_test").FieldsV1), StringComparison.Ordinal);

        // Applying the old count again without force conflicts with the scaler.
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(applied, V1Patch.PatchType.ApplyPatch), "web", Namespace, fieldManager: "apply_test", cancellationToken: Token));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, conflict.Response.StatusCode);
        Assert.Contains("scale_test", conflict.Response.Content, StringComparison.Ordinal);
    }
}
