using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>Create, delete, and the 404s the real server answers: unknown resources, missing namespaces, missing objects.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Creating_twice_is_409_AlreadyExists()
    {
        await using var cluster = await StartAsync();
        var configMap = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "once" } };
        var created = await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(configMap, "default", cancellationToken: Token);
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));

        var again = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(configMap, "default", cancellationToken: Token));

        Assert.Equal(HttpStatusCode.Conflict, again.Response.StatusCode);
        var status = Parse(again.Response.Content);
        Assert.Equal("AlreadyExists", status["reason"]!.GetValue<string>());
        Assert.Equal("configmaps \"once\" already exists", status["message"]!.GetValue<string>());
        Assert.Equal("configmaps", status["details"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_removes_the_object_and_watches_see_it_go()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "KafkaTopic", "kafkatopics");
        var topic = Parse("""{"apiVersion":"kafka.strimzi.io/v1","kind":"KafkaTopic","metadata":{"name":"orders","namespace":"default"},"spec":{"partitions":3}}""");
        var applied = Json(await Strimzi.ApplyAsync(cluster.Client, topic, "kafkademo-apphost"));

        using var deadline = DeadlineToken();
        var deleted = Task.Run(async () =>
        {
            await foreach (var (type, item) in cluster.Client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                Strimzi.Group, Strimzi.Version, "default", "kafkatopics", resourceVersion: applied["metadata"]!["resourceVersion"]!.GetValue<string>(), cancellationToken: deadline.Token))
            {
                return (type, Json(item));
            }

            throw new InvalidOperationException("The watch ended without an event.");
        }, Token);
        var answer = Json(await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(Strimzi.Group, Strimzi.Version, "default", "kafkatopics", "orders", cancellationToken: Token));

        Assert.Equal("orders", answer["metadata"]!["name"]!.GetValue<string>());
        var (type, last) = await deleted.WaitAsync(Deadline, Token);
        Assert.Equal(WatchEventType.Deleted, type);
        Assert.Equal(3, last["spec"]!["partitions"]!.GetValue<int>());
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync(Strimzi.Group, Strimzi.Version, "default", "kafkatopics", "orders", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
        Assert.Equal("kafkatopics.kafka.strimzi.io \"orders\" not found", Parse(gone.Response.Content)["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_a_namespace_deletes_what_is_in_it()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "kafka" } }, cancellationToken: Token);
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "inside" } }, "kafka", cancellationToken: Token);
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "outside" } }, "default", cancellationToken: Token);

        await cluster.Client.CoreV1.DeleteNamespaceAsync("kafka", cancellationToken: Token);

        Assert.Equal(["outside"], (await cluster.Client.CoreV1.ListConfigMapForAllNamespacesAsync(cancellationToken: Token)).Items.Select(i => i.Metadata.Name));
        var again = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "inside" } }, "kafka", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.NotFound, again.Response.StatusCode);
    }

    [Fact]
    public async Task A_namespaced_object_in_a_missing_namespace_is_404_until_the_namespace_exists()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "Kafka", "kafkas");

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "kafka"), "kafkademo-apphost"));

        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        var status = Parse(missing.Response.Content);
        Assert.Equal("namespaces \"kafka\" not found", status["message"]!.GetValue<string>());
        Assert.Equal("namespaces", status["details"]!["kind"]!.GetValue<string>());
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "kafka" } }, cancellationToken: Token);
        Assert.Equal(1, Json(await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "kafka"), "kafkademo-apphost"))["metadata"]!["generation"]!.GetValue<long>());
    }

    /// <summary>
    /// How a cluster without Strimzi answers a read of its CRD by name: 404 with the NotFound Status
    /// whose message is the group-qualified resource and the quoted name
    /// (k8s.io/apimachinery pkg/api/errors/errors.go NewNotFound: "%s %q not found" with
    /// qualifiedResource.String(), details name, group and kind = the resource).
    /// </summary>
    [Fact]
    public async Task A_missing_definition_read_by_name_is_the_real_NotFound_status()
    {
        await using var cluster = await StartAsync();
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("kafkas.kafka.strimzi.io", cancellationToken: Token));

        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        var status = Parse(missing.Response.Content);
        Assert.Equal("Failure", status["status"]!.GetValue<string>());
        Assert.Equal("NotFound", status["reason"]!.GetValue<string>());
        Assert.Equal(404, status["code"]!.GetValue<int>());
        Assert.Equal("customresourcedefinitions.apiextensions.k8s.io \"kafkas.kafka.strimzi.io\" not found", status["message"]!.GetValue<string>());
        Assert.Equal("kafkas.kafka.strimzi.io", status["details"]!["name"]!.GetValue<string>());
        Assert.Equal("apiextensions.k8s.io", status["details"]!["group"]!.GetValue<string>());
        Assert.Equal("customresourcedefinitions", status["details"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Custom_resources_are_404_until_their_definition_is_established_and_after_it_is_deleted()
    {
        // Long enough that the apply right after the definition's certainly comes first; the test then waits by watch.
        await using var cluster = await StartAsync(new FakeKubernetesOptions { CrdEstablishDelay = TimeSpan.FromSeconds(2) });
        var unknown = await Assert.ThrowsAsync<HttpOperationException>(() => Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default"), "kafkademo-apphost"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.Response.StatusCode);
        Assert.Equal("the server could not find the requested resource", Parse(unknown.Response.Content)["message"]!.GetValue<string>());

        var definition = Strimzi.Definition("Kafka", "kafkas");
        var applied = await cluster.Client.ApiextensionsV1.PatchCustomResourceDefinitionAsync(
            new V1Patch(definition, V1Patch.PatchType.ApplyPatch), definition.Metadata.Name, fieldManager: "kafkademo-apphost", cancellationToken: Token);
        Assert.DoesNotContain(applied.Status?.Conditions ?? [], c => c.Type == "Established");
        var early = await Assert.ThrowsAsync<HttpOperationException>(() => Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default"), "kafkademo-apphost"));
        Assert.Equal(HttpStatusCode.NotFound, early.Response.StatusCode);

        await Strimzi.WaitEstablishedAsync(cluster.Client, definition.Metadata.Name);
        await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default"), "kafkademo-apphost");
        var groups = await cluster.Client.Apis.GetAPIVersionsAsync(cancellationToken: Token);
        Assert.Equal("kafka.strimzi.io/v1", Assert.Single(groups.Groups, g => g.Name == Strimzi.Group).PreferredVersion.GroupVersion);

        await cluster.Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync(definition.Metadata.Name, cancellationToken: Token);
        Assert.Null(cluster.Api.Get(ResourceType.CustomResourceDefinitions, null, definition.Metadata.Name));
        Assert.DoesNotContain(cluster.Api.ServedResources, k => k.Type.Group == Strimzi.Group);
        var afterwards = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync(Strimzi.Group, Strimzi.Version, "default", "kafkas", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.NotFound, afterwards.Response.StatusCode);
    }

    [Fact]
    public async Task Discovery_and_version_describe_what_is_served()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "KafkaNodePool", "kafkanodepools");

        var version = await cluster.Client.Version.GetCodeAsync(cancellationToken: Token);
        Assert.Equal("1", version.Major);
        var core = await cluster.Client.CoreV1.GetAPIResourcesAsync(cancellationToken: Token);
        var pods = Assert.Single(core.Resources, r => r.Name == "pods");
        Assert.True(pods.Namespaced);
        Assert.Contains(core.Resources, r => r.Name == "pods/exec");
        Assert.Contains(core.Resources, r => r.Name == "pods/status");
        var namespaces = Assert.Single(core.Resources, r => r.Name == "namespaces");
        Assert.False(namespaces.Namespaced);
        var apps = await cluster.Client.AppsV1.GetAPIResourcesAsync(cancellationToken: Token);
        Assert.Contains(apps.Resources, r => r.Name == "deployments" && r.Kind == "Deployment");
        var rbac = await cluster.Client.RbacAuthorizationV1.GetAPIResourcesAsync(cancellationToken: Token);
        Assert.Equal(["clusterrolebindings", "clusterroles", "rolebindings", "roles"], rbac.Resources.Select(r => r.Name).Order(StringComparer.Ordinal));
        var strimzi = await cluster.Client.CustomObjects.GetAPIResourcesAsync(Strimzi.Group, Strimzi.Version, cancellationToken: Token);
        Assert.Equal(["kafkanodepools", "kafkanodepools/status"], Json(strimzi)["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
    }
}
