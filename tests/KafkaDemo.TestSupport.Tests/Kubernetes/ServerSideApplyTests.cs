using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>Server-side apply through KubernetesClient's CustomObjects API, as the AppHost will apply Strimzi's resources.</summary>
public sealed class ServerSideApplyTests
{
    [Fact]
    public async Task Apply_creates_then_updates_keeping_generation_resourceVersion_and_managedFields_honest()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "Kafka", "kafkas");

        var created = Json(await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default"), "kafkademo-apphost"));
        Assert.Equal(1, created["metadata"]!["generation"]!.GetValue<long>());
        Assert.False(string.IsNullOrEmpty(created["metadata"]!["uid"]!.GetValue<string>()));
        Assert.NotNull(created["metadata"]!["creationTimestamp"]);
        var entry = Assert.Single(created["metadata"]!["managedFields"]!.AsArray())!.AsObject();
        Assert.Equal("kafkademo-apphost", entry["manager"]!.GetValue<string>());
        Assert.Equal("Apply", entry["operation"]!.GetValue<string>());
        Assert.Equal("kafka.strimzi.io/v1", entry["apiVersion"]!.GetValue<string>());
        Assert.Equal("FieldsV1", entry["fieldsType"]!.GetValue<string>());
        var fields = entry["fieldsV1"]!;
        Assert.NotNull(fields["f:spec"]!["f:kafka"]!["f:replicas"]);
        Assert.NotNull(fields["f:spec"]!["f:kafka"]!["f:listeners"]);
        Assert.NotNull(fields["f:spec"]!["f:kafka"]!["f:config"]!["f:offsets.topic.replication.factor"]);
        Assert.NotNull(fields["f:metadata"]!["f:labels"]!["f:app"]);

        var version = created["metadata"]!["resourceVersion"]!.GetValue<string>();
        var unchanged = Json(await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default"), "kafkademo-apphost"));
        Assert.Equal(version, unchanged["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal(1, unchanged["metadata"]!["generation"]!.GetValue<long>());

        var scaled = Json(await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default", replicas: 5), "kafkademo-apphost"));
        Assert.Equal(5, scaled["spec"]!["kafka"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, scaled["metadata"]!["generation"]!.GetValue<long>());
        Assert.True(long.Parse(scaled["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            > long.Parse(version, System.Globalization.CultureInfo.InvariantCulture));

        var relabeled = Strimzi.Kafka("demo", "default", replicas: 5);
        relabeled["metadata"]!["labels"]!["tier"] = "test";
        var metadataOnly = Json(await Strimzi.ApplyAsync(cluster.Client, relabeled, "kafkademo-apphost"));
        Assert.Equal(2, metadataOnly["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal("test", metadataOnly["metadata"]!["labels"]!["tier"]!.GetValue<string>());
        Assert.NotEqual(scaled["metadata"]!["resourceVersion"]!.GetValue<string>(), metadataOnly["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_field_another_manager_owns_is_a_conflict_unless_forced()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "Kafka", "kafkas");
        await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default", replicas: 3), "kafkademo-apphost");

        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default", replicas: 5), "vibectl"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        var status = Parse(conflict.Response.Content);
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("Conflict", status["reason"]!.GetValue<string>());
        Assert.Equal(409, status["code"]!.GetValue<int>());
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kafkademo-apphost\": .spec.kafka.replicas", status["message"]!.GetValue<string>());
        var cause = Assert.Single(status["details"]!["causes"]!.AsArray())!;
        Assert.Equal("FieldManagerConflict", cause["reason"]!.GetValue<string>());
        Assert.Equal(".spec.kafka.replicas", cause["field"]!.GetValue<string>());
        Assert.Equal(3, cluster.Api.Get(Strimzi.Kafkas, "default", "demo")!["spec"]!["kafka"]!["replicas"]!.GetValue<int>());

        var forced = Json(await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default", replicas: 5), "vibectl", force: true));
        Assert.Equal(5, forced["spec"]!["kafka"]!["replicas"]!.GetValue<int>());
        var owners = Owners(forced, "spec", "kafka", "replicas");
        Assert.Equal(["vibectl"], owners);
        // The same listeners, with the same value, are now owned by both.
        Assert.Equal(["kafkademo-apphost", "vibectl"], Owners(forced, "spec", "kafka", "listeners"));

        var back = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default", replicas: 3), "kafkademo-apphost"));
        Assert.Equal(HttpStatusCode.Conflict, back.Response.StatusCode);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"vibectl\": .spec.kafka.replicas", Parse(back.Response.Content)["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, (HttpStatusCode)cluster.Api.AppliedObjects[^1].StatusCode);
    }

    [Fact]
    public async Task Fields_a_manager_stops_applying_are_removed_unless_another_manager_owns_them()
    {
        await using var cluster = await StartAsync();
        var first = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = "settings", Labels = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } },
            Data = new Dictionary<string, string> { ["kept"] = "x", ["dropped"] = "y", ["shared"] = "z" },
        };
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(first, V1Patch.PatchType.ApplyPatch), "settings", "default", fieldManager: "first", cancellationToken: Token);
        var other = new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["shared"] = "z" } };
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(other, V1Patch.PatchType.ApplyPatch), "settings", "default", fieldManager: "second", cancellationToken: Token);

        first.Metadata.Labels.Remove("b");
        first.Data.Remove("dropped");
        first.Data.Remove("shared");
        var result = await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(first, V1Patch.PatchType.ApplyPatch), "settings", "default", fieldManager: "first", cancellationToken: Token);

        Assert.Equal(new Dictionary<string, string> { ["kept"] = "x", ["shared"] = "z" }, result.Data);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, result.Metadata.Labels);
    }

    [Fact]
    public async Task A_dry_run_apply_answers_without_storing()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "Kafka", "kafkas");
        var before = cluster.Api.ResourceVersion;

        var answer = Json(await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(Strimzi.Kafka("demo", "default"), V1Patch.PatchType.ApplyPatch), Strimzi.Group, Strimzi.Version, "default", "kafkas", "demo",
            dryRun: "All", fieldManager: "kafkademo-apphost", cancellationToken: Token));

        Assert.Equal(3, answer["spec"]!["kafka"]!["replicas"]!.GetValue<int>());
        Assert.Null(cluster.Api.Get(Strimzi.Kafkas, "default", "demo"));
        Assert.Equal(before, cluster.Api.ResourceVersion);
    }

    [Fact]
    public async Task Apply_needs_a_field_manager()
    {
        await using var cluster = await StartAsync();
        var configMap = new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "unmanaged" } };

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(configMap, V1Patch.PatchType.ApplyPatch), "unmanaged", "default", cancellationToken: Token));

        Assert.Equal((HttpStatusCode)422, refused.Response.StatusCode);
        Assert.Equal("Invalid", Parse(refused.Response.Content)["reason"]!.GetValue<string>());
        Assert.Contains("fieldManager: Required value", refused.Response.Content, StringComparison.Ordinal);
        Assert.Null(cluster.Api.Get(ResourceType.ConfigMaps, "default", "unmanaged"));
    }

    [Fact]
    public async Task An_apply_body_may_be_yaml()
    {
        // KubernetesClient and kubectl send JSON; YAML (what the content type names) goes through the client's own HttpClient.
        await using var cluster = await StartAsync();
        const string Yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: from-yaml
              namespace: default
            data:
              quoted: "007"
              plain: hello world
              block: |
                line one
                line two
            """;
        using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri(cluster.Client.BaseUri, "api/v1/namespaces/default/configmaps/from-yaml?fieldManager=yaml"))
        {
            Content = new StringContent(Yaml, System.Text.Encoding.UTF8, "application/apply-patch+yaml"),
        };

        using var response = await cluster.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var stored = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("from-yaml", "default", cancellationToken: Token);
        Assert.Equal("007", stored.Data["quoted"]);
        Assert.Equal("hello world", stored.Data["plain"]);
        Assert.Equal("line one\nline two", stored.Data["block"]); // no line break ends the body, so none ends the block
        Assert.Equal("yaml", Assert.Single(stored.Metadata.ManagedFields).Manager);
        var recorded = cluster.Api.Requests.Single(r => r.Method == "PATCH");
        Assert.Equal("application/apply-patch+yaml", recorded.ContentType?.Split(';')[0]);
        Assert.Equal("yaml", recorded.FieldManager);
        Assert.Equal(Yaml, recorded.Body);
    }

    [Fact]
    public async Task Applying_the_operator_manifests_creates_every_kind_the_AppHost_applies()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "strimzi" } }, cancellationToken: Token);
        var serviceAccount = Parse("""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"strimzi-cluster-operator","namespace":"strimzi"}}""");
        var clusterRole = Parse("""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"strimzi-cluster-operator"},"rules":[{"apiGroups":["kafka.strimzi.io"],"resources":["kafkas"],"verbs":["get","list","watch"]}]}""");
        var roleBinding = Parse("""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"strimzi-cluster-operator","namespace":"strimzi"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"strimzi-cluster-operator"},"subjects":[{"kind":"ServiceAccount","name":"strimzi-cluster-operator","namespace":"strimzi"}]}""");
        var clusterRoleBinding = Parse("""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"strimzi-cluster-operator"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"strimzi-cluster-operator"},"subjects":[{"kind":"ServiceAccount","name":"strimzi-cluster-operator","namespace":"strimzi"}]}""");
        var configMap = Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"strimzi-cluster-operator","namespace":"strimzi"},"data":{"log4j2.properties":"rootLogger.level=INFO"}}""");
        var deployment = Parse("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"strimzi-cluster-operator","namespace":"strimzi"},"spec":{"replicas":1,"selector":{"matchLabels":{"name":"strimzi-cluster-operator"}},"template":{"metadata":{"labels":{"name":"strimzi-cluster-operator"}},"spec":{"containers":[{"name":"strimzi-cluster-operator","image":"quay.io/strimzi/operator"}]}}}}""");

        await cluster.Client.CoreV1.PatchNamespacedServiceAccountAsync(new V1Patch(serviceAccount, V1Patch.PatchType.ApplyPatch), "strimzi-cluster-operator", "strimzi", fieldManager: "kafkademo-apphost", cancellationToken: Token);
        await cluster.Client.RbacAuthorizationV1.PatchClusterRoleAsync(new V1Patch(clusterRole, V1Patch.PatchType.ApplyPatch), "strimzi-cluster-operator", fieldManager: "kafkademo-apphost", cancellationToken: Token);
        await cluster.Client.RbacAuthorizationV1.PatchNamespacedRoleBindingAsync(new V1Patch(roleBinding, V1Patch.PatchType.ApplyPatch), "strimzi-cluster-operator", "strimzi", fieldManager: "kafkademo-apphost", cancellationToken: Token);
        await cluster.Client.RbacAuthorizationV1.PatchClusterRoleBindingAsync(new V1Patch(clusterRoleBinding, V1Patch.PatchType.ApplyPatch), "strimzi-cluster-operator", fieldManager: "kafkademo-apphost", cancellationToken: Token);
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(configMap, V1Patch.PatchType.ApplyPatch), "strimzi-cluster-operator", "strimzi", fieldManager: "kafkademo-apphost", cancellationToken: Token);
        var applied = await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(deployment, V1Patch.PatchType.ApplyPatch), "strimzi-cluster-operator", "strimzi", fieldManager: "kafkademo-apphost", cancellationToken: Token);

        Assert.Equal(1, applied.Metadata.Generation);
        Assert.Equal("strimzi-cluster-operator", (await cluster.Client.CoreV1.ReadNamespacedServiceAccountAsync("strimzi-cluster-operator", "strimzi", cancellationToken: Token)).Metadata.Name);
        Assert.Single((await cluster.Client.RbacAuthorizationV1.ReadClusterRoleAsync("strimzi-cluster-operator", cancellationToken: Token)).Rules);
        Assert.Equal("ClusterRole", (await cluster.Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync("strimzi-cluster-operator", "strimzi", cancellationToken: Token)).RoleRef.Kind);
        Assert.Single((await cluster.Client.RbacAuthorizationV1.ReadClusterRoleBindingAsync("strimzi-cluster-operator", cancellationToken: Token)).Subjects);
        Assert.Equal("rootLogger.level=INFO", (await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("strimzi-cluster-operator", "strimzi", cancellationToken: Token)).Data["log4j2.properties"]);
        Assert.Equal(1, (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("strimzi-cluster-operator", "strimzi", cancellationToken: Token)).Spec.Replicas);
    }

    /// <summary>The managers whose managedFields entry owns a field, sorted.</summary>
    private static string[] Owners(JsonObject item, params string[] path) =>
        item["metadata"]!["managedFields"]!.AsArray()
            .Where(e =>
            {
                JsonNode? node = e!["fieldsV1"];
                foreach (var element in path)
                {
                    node = node?["f:" + element];
                }

                return node is not null;
            })
            .Select(e => e!["manager"]!.GetValue<string>())
            .Order(StringComparer.Ordinal)
            .ToArray();
}
