using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>Merge, strategic merge and JSON patches, and replace, through KubernetesClient.</summary>
public sealed class PatchTests
{
    [Fact]
    public async Task A_merge_patch_changes_the_spec_and_takes_the_field_from_its_applier()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "Kafka", "kafkas");
        await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default", replicas: 3), "kafkademo-apphost");

        var patched = Json(await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"kafka":{"replicas":4,"config":{"num.partitions":6}}}}""", V1Patch.PatchType.MergePatch),
            Strimzi.Group, Strimzi.Version, "default", "kafkas", "demo", fieldManager: "vibectl", cancellationToken: Token));

        Assert.Equal(4, patched["spec"]!["kafka"]!["replicas"]!.GetValue<int>());
        Assert.Equal(6, patched["spec"]!["kafka"]!["config"]!["num.partitions"]!.GetValue<int>());
        Assert.Equal(3, patched["spec"]!["kafka"]!["config"]!["offsets.topic.replication.factor"]!.GetValue<int>());
        Assert.Equal(2, patched["metadata"]!["generation"]!.GetValue<long>());
        var entries = patched["metadata"]!["managedFields"]!.AsArray();
        var update = Assert.Single(entries, e => e!["manager"]!.GetValue<string>() == "vibectl")!;
        Assert.Equal("Update", update["operation"]!.GetValue<string>());
        Assert.NotNull(update["fieldsV1"]!["f:spec"]!["f:kafka"]!["f:replicas"]);
        Assert.NotNull(update["fieldsV1"]!["f:spec"]!["f:kafka"]!["f:config"]!["f:num.partitions"]);
        var apply = Assert.Single(entries, e => e!["manager"]!.GetValue<string>() == "kafkademo-apphost")!;
        Assert.Null(apply["fieldsV1"]!["f:spec"]!["f:kafka"]!["f:replicas"]);
        Assert.NotNull(apply["fieldsV1"]!["f:spec"]!["f:kafka"]!["f:listeners"]);
    }

    [Fact]
    public async Task A_merge_patch_with_a_stale_resourceVersion_is_a_conflict()
    {
        await using var cluster = await StartAsync();
        var created = await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "guarded" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, "default", cancellationToken: Token);
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"a":"2"}}""", V1Patch.PatchType.MergePatch), "guarded", "default", cancellationToken: Token);

        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch($$$"""{"metadata":{"resourceVersion":"{{{created.Metadata.ResourceVersion}}}"},"data":{"a":"3"}}""", V1Patch.PatchType.MergePatch),
            "guarded", "default", cancellationToken: Token));

        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);
        Assert.Equal("Conflict", Parse(stale.Response.Content)["reason"]!.GetValue<string>());
        Assert.Equal("2", cluster.Api.Get<V1ConfigMap>(ResourceType.ConfigMaps, "default", "guarded")!.Data["a"]);
    }

    [Fact]
    public async Task A_json_patch_applies_its_operations_in_order_and_a_failed_test_changes_nothing()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "ops" }, Data = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } }, "default", cancellationToken: Token);

        var patched = await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""
            [
              {"op":"test","path":"/data/a","value":"1"},
              {"op":"replace","path":"/data/a","value":"10"},
              {"op":"remove","path":"/data/b"},
              {"op":"add","path":"/data/slash~1key","value":"s"},
              {"op":"copy","from":"/data/a","path":"/data/c"}
            ]
            """, V1Patch.PatchType.JsonPatch), "ops", "default", cancellationToken: Token);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "10", ["slash/key"] = "s", ["c"] = "10" }, patched.Data);

        var failed = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""
            [ {"op":"replace","path":"/data/a","value":"changed"}, {"op":"test","path":"/data/c","value":"nope"} ]
            """, V1Patch.PatchType.JsonPatch), "ops", "default", cancellationToken: Token));
        Assert.Equal((HttpStatusCode)422, failed.Response.StatusCode);
        Assert.Equal("10", cluster.Api.Get<V1ConfigMap>(ResourceType.ConfigMaps, "default", "ops")!.Data["a"]);
    }

    [Fact]
    public async Task A_strategic_merge_patch_is_applied_as_a_merge_patch()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("operator", replicas: 1), "default", cancellationToken: Token);

        var patched = await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"metadata":{"labels":{"added":"yes"}},"spec":{"replicas":2}}""", V1Patch.PatchType.StrategicMergePatch),
            "operator", "default", fieldManager: "scaler", cancellationToken: Token);

        Assert.Equal(2, patched.Spec.Replicas);
        Assert.Equal("yes", patched.Metadata.Labels["added"]);
        Assert.Equal("operator", patched.Metadata.Labels["app"]);
        Assert.Equal(2, patched.Metadata.Generation);
        Assert.Equal("application/strategic-merge-patch+json", cluster.Api.Requests.Last(r => r.Method == "PATCH").ContentType?.Split(';')[0]);
    }

    [Fact]
    public async Task Replace_needs_the_current_resourceVersion_when_it_names_one()
    {
        await using var cluster = await StartAsync();
        var created = await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "replaced" }, Data = new Dictionary<string, string> { ["v"] = "1" } }, "default", cancellationToken: Token);
        created.Data["v"] = "2";
        var replaced = await cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "replaced", "default", cancellationToken: Token);
        Assert.Equal("2", replaced.Data["v"]);
        Assert.NotEqual(created.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);

        created.Data["v"] = "3";
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "replaced", "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);
        Assert.Contains("the object has been modified", Parse(stale.Response.Content)["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "absent" } }, "absent", "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
    }

    internal static V1Deployment Deployment(string name, int replicas) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = name, Image = "quay.io/strimzi/operator" }] },
            },
        },
    };
}
