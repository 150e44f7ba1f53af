using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>The status subresource: writes to it change only status; writes to the resource leave status alone.</summary>
public sealed class StatusSubresourceTests
{
    private static readonly JsonObject Ready = Parse("""
        {"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True"}],"listeners":[{"name":"plain","bootstrapServers":"demo-kafka-bootstrap.default.svc:9092"}]}}
        """);

    [Fact]
    public async Task Writing_status_changes_only_status_and_is_owned_as_a_status_write()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "Kafka", "kafkas");
        var created = Json(await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default"), "kafkademo-apphost"));

        var patch = (JsonObject)Ready.DeepClone();
        patch["spec"] = Parse("""{"kafka":{"replicas":99}}""");
        var updated = Json(await cluster.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(patch, V1Patch.PatchType.MergePatch), Strimzi.Group, Strimzi.Version, "default", "kafkas", "demo", fieldManager: "strimzi-cluster-operator", cancellationToken: Token));

        Assert.Equal("True", updated["status"]!["conditions"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(3, updated["spec"]!["kafka"]!["replicas"]!.GetValue<int>());
        Assert.Equal(1, updated["metadata"]!["generation"]!.GetValue<long>());
        Assert.NotEqual(created["metadata"]!["resourceVersion"]!.GetValue<string>(), updated["metadata"]!["resourceVersion"]!.GetValue<string>());
        var entry = Assert.Single(updated["metadata"]!["managedFields"]!.AsArray(), e => e!["manager"]!.GetValue<string>() == "strimzi-cluster-operator")!;
        Assert.Equal("status", entry["subresource"]!.GetValue<string>());
        Assert.Equal("Update", entry["operation"]!.GetValue<string>());
        Assert.NotNull(entry["fieldsV1"]!["f:status"]!["f:conditions"]);
    }

    [Fact]
    public async Task Writing_the_resource_ignores_status()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "Kafka", "kafkas");
        var withStatus = Strimzi.Kafka("demo", "default");
        withStatus["status"] = Parse("""{"conditions":[{"type":"Ready","status":"True"}]}""");

        var created = Json(await Strimzi.ApplyAsync(cluster.Client, withStatus, "kafkademo-apphost"));
        Assert.Null(created["status"]);

        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(Ready, V1Patch.PatchType.MergePatch), Strimzi.Group, Strimzi.Version, "default", "kafkas", "demo", cancellationToken: Token);
        var merged = Json(await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"status":{"conditions":[]},"spec":{"kafka":{"replicas":4}}}""", V1Patch.PatchType.MergePatch),
            Strimzi.Group, Strimzi.Version, "default", "kafkas", "demo", cancellationToken: Token));

        Assert.Equal(4, merged["spec"]!["kafka"]!["replicas"]!.GetValue<int>());
        Assert.Equal("Ready", merged["status"]!["conditions"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Replacing_status_takes_only_the_status_of_the_body()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "Kafka", "kafkas");
        var current = Json(await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default"), "kafkademo-apphost"));
        current["spec"]!["kafka"]!["replicas"] = 7;
        current["status"] = Ready["status"]!.DeepClone();

        var replaced = Json(await cluster.Client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(
            current, Strimzi.Group, Strimzi.Version, "default", "kafkas", "demo", cancellationToken: Token));

        Assert.Equal(3, replaced["spec"]!["kafka"]!["replicas"]!.GetValue<int>());
        Assert.Equal("demo-kafka-bootstrap.default.svc:9092", replaced["status"]!["listeners"]![0]!["bootstrapServers"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_deployment_status_is_written_through_its_status_subresource()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(PatchTests.Deployment("operator", 1), "default", cancellationToken: Token);

        var available = await cluster.Client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch("""
            {"status":{"availableReplicas":1,"readyReplicas":1,"conditions":[{"type":"Available","status":"True"}]}}
            """, V1Patch.PatchType.MergePatch), "operator", "default", cancellationToken: Token);

        Assert.Equal(1, available.Status.AvailableReplicas);
        Assert.Equal(1, available.Metadata.Generation);
        Assert.Equal(1, (await cluster.Client.AppsV1.ReadNamespacedDeploymentStatusAsync("operator", "default", cancellationToken: Token)).Status.ReadyReplicas);
    }
}
