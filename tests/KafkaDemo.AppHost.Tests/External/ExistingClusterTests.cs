using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using k8s;
using KafkaDemo.AppHost.OverseerIdentity;
using KafkaDemo.AppHost.Tests.K3d;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaDemo.AppHost.Tests.External;

/// <summary>
/// The whole AppHost in external mode with an existing cluster (KafkaDemo:External:Kubeconfig),
/// against the fake Kubernetes API server and an embedded Kafka behind the Kafka resource's status.
/// What ran for real: the AppHost, KubernetesClient (HTTPS, bearer token, RBAC on the fake), the
/// producer, consumer and Overseer, and the Kafka protocol. The cluster is never created, no operator
/// is installed, docker and k3d are never run, and the user's kubeconfig is never written.
/// </summary>
public sealed class ExistingClusterTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task With_Strimzi_and_a_Ready_Kafka_the_app_verifies_messages_and_creates_no_cluster_and_installs_no_operator()
    {
        await using var world = await ExistingClusterWorld.StartAsync();
        await world.InstallStrimziCrdsAsync();
        world.AddReadyKafka();
        using var topicOperator = world.SimulateTopicOperator();
        var userKubeconfig = await File.ReadAllTextAsync(world.UserKubeconfig, TestContext.Current.CancellationToken);
        var writesBefore = world.Writes.Count;

        await using var app = await world.StartAppAsync("--KafkaDemo:Rate=1000", "--KafkaDemo:Controller:Enabled=false");
        await FakeCluster.WaitForAsync(app, "cluster", s => s.State?.Text == KnownResourceStates.Running);
        await FakeCluster.WaitForAsync(app, "kafka", s => s.State?.Text == KnownResourceStates.Running);

        using var consumer = app.CreateHttpClient("consumer");
        ConsumerStats? stats = null;
        await Eventually.TrueAsync(async () =>
        {
            stats = await consumer.GetFromJsonAsync<ConsumerStats>("/api/stats", TestContext.Current.CancellationToken);
            return stats is { Verified: >= 2000 };
        }, Deadline, "Fewer than 2000 messages were verified through the existing cluster's Kafka.");
        Assert.Equal(0, stats!.IntegrityFailures.Total);
        Assert.Equal(0, stats.Gaps);
        Assert.Equal(0, stats.Duplicates);

        // The bootstrap servers came from the Kafka's status: its nodeport listener without TLS.
        var kafka = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == "kafka");
        Assert.Equal(world.Kafka.BootstrapServers, await kafka.GetConnectionStringAsync(TestContext.Current.CancellationToken));
        var clusterLog = await FakeCluster.LogsAsync(app, "cluster");
        Assert.Contains("Strimzi's CRDs are installed, Established and serve kafka.strimzi.io/v1: kafkas.kafka.strimzi.io, kafkanodepools.kafka.strimzi.io, kafkatopics.kafka.strimzi.io.", clusterLog, StringComparison.Ordinal);

        // The agent has no image an existing cluster can pull: it says so and does not start.
        await FakeCluster.WaitForAsync(app, "vibectl", s => s.State?.Text == KnownResourceStates.FailedToStart);
        Assert.Contains("KafkaDemo:External:AgentImage", await FakeCluster.LogsAsync(app, "vibectl"), StringComparison.Ordinal);

        // What the AppHost wrote: the demo's topics as KafkaTopics of kafka/kafkademo, and the Overseer's identity
        // (k3d/overseer and the agent's namespace it has a Role in), all by server-side apply; nothing deleted.
        var applied = world.Api.AppliedObjects;
        Assert.All(applied, a => Assert.Equal("kafkademo", a.FieldManager));
        var kinds = applied.Select(a => (string)a.Configuration["kind"]!).ToHashSet();
        Assert.Subset(new HashSet<string> { "Namespace", "ServiceAccount", "Role", "RoleBinding", "KafkaTopic" }, kinds);
        Assert.DoesNotContain(applied, a => (string?)a.Configuration["kind"] == "Namespace" && (string?)a.Configuration["metadata"]!["name"] is "kafka" or "strimzi");
        var topics = applied.Where(a => (string?)a.Configuration["kind"] == "KafkaTopic").ToList();
        Assert.Equal(["clicks", "orders"], topics.Select(t => t.Name).Order(StringComparer.Ordinal));
        var topicSchema = UpstreamSchemas.StrimziCrd("043-Crd-kafkatopic.yaml");
        Assert.All(topics, t =>
        {
            Assert.Equal("kafka", t.Namespace);
            Assert.Equal("kafkademo", (string?)t.Configuration["metadata"]!["labels"]!["strimzi.io/cluster"]);
            Assert.Equal(3, (int?)t.Configuration["spec"]!["replicas"]); // fitted to the node pool's three brokers
            Assert.Empty(topicSchema.Errors(t.Configuration));
        });
        Assert.Contains("The demo's topics are KafkaTopic resources of Kafka kafka/kafkademo", await FakeCluster.LogsAsync(app, "kafka"), StringComparison.Ordinal);
        var writes = world.Writes.Skip(writesBefore).ToList();
        Assert.DoesNotContain(writes, w => w.Method == "DELETE");
        Assert.DoesNotContain(writes, w => w.Path.Contains("customresourcedefinitions", StringComparison.Ordinal));
        Assert.DoesNotContain(writes, w => w.Path.Contains("/deployments", StringComparison.Ordinal));
        Assert.All(writes.Where(w => w.Path.Contains("kafka.strimzi.io", StringComparison.Ordinal)), w =>
            Assert.Matches("^/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkatopics/(orders|clicks)$", w.Path));
        Assert.DoesNotContain(writes, w => w.Path.Contains("clusterrole", StringComparison.Ordinal));
        Assert.Empty(world.Tools.Calls);

        // The user's kubeconfig is untouched; the Overseer's own is in the AppHost's state folder, private, with the Overseer's token only.
        Assert.Equal(userKubeconfig, await File.ReadAllTextAsync(world.UserKubeconfig, TestContext.Current.CancellationToken));
        var overseerKubeconfig = Path.Combine(world.StateDirectory, "cluster-overseer.kubeconfig");
        Assert.True(File.Exists(overseerKubeconfig), "The Overseer's kubeconfig was not written to the AppHost's state folder.");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(overseerKubeconfig));
        }

        var adminToken = System.Text.RegularExpressions.Regex.Match(userKubeconfig, @"token: (\S+)").Groups[1].Value;
        Assert.NotEmpty(adminToken);
        Assert.DoesNotContain(adminToken, await File.ReadAllTextAsync(overseerKubeconfig, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_Strimzi_s_CRDs_the_cluster_and_kafka_fail_plainly_and_nothing_is_created_or_installed()
    {
        await using var world = await ExistingClusterWorld.StartAsync();

        await using var app = await world.StartAppAsync();
        await FakeCluster.WaitForAsync(app, "cluster", s => s.State?.Text == KnownResourceStates.FailedToStart);
        await FakeCluster.WaitForAsync(app, "kafka", s => s.State?.Text == KnownResourceStates.FailedToStart);

        var log = await FakeCluster.LogsAsync(app, "cluster");
        Assert.Contains($"Strimzi's CRDs are not installed in context {ExistingClusterWorld.ContextName} of {world.UserKubeconfig}: "
            + "kafkas.kafka.strimzi.io, kafkanodepools.kafka.strimzi.io, kafkatopics.kafka.strimzi.io missing.", log, StringComparison.Ordinal);
        Assert.Contains("Install Strimzi 1.2.0 (https://github.com/strimzi/strimzi-kafka-operator/releases/tag/1.2.0", log, StringComparison.Ordinal);
        Assert.Contains("or use KafkaDemo:Mode=k3d", log, StringComparison.Ordinal);
        Assert.Contains("The cluster is not available", await FakeCluster.LogsAsync(app, "kafka"), StringComparison.Ordinal);

        // The API server answered each CRD read with its NotFound status; nothing was written, docker and k3d never ran.
        Assert.Contains(world.Api.Requests, r => r.Method == "GET" && r.Path == "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/kafkas.kafka.strimzi.io");
        Assert.Empty(world.Writes);
        Assert.Empty(world.Api.AppliedObjects);
        Assert.Empty(world.Tools.Calls);
    }

    [Fact]
    public async Task A_user_who_may_not_read_CRDs_is_told_so_plainly()
    {
        // A user RBAC grants nothing beyond the bootstrap roles (/version is system:public-info-viewer's).
        await using var world = await ExistingClusterWorld.StartAsync();
        world.Api.Put(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = new JsonObject { ["name"] = "viewer", ["namespace"] = "default" } });
        var token = world.Api.IssueServiceAccountToken("default", "viewer");
        world.Api.WriteKubeconfig(world.UserKubeconfig, ExistingClusterWorld.ContextName, token);
        await world.InstallStrimziCrdsAsync();

        await using var app = await world.StartAppAsync();
        await FakeCluster.WaitForAsync(app, "cluster", s => s.State?.Text == KnownResourceStates.FailedToStart);
        var log = await FakeCluster.LogsAsync(app, "cluster");
        Assert.Contains("the kubeconfig's user may not read CustomResourceDefinitions (", log, StringComparison.Ordinal);
        Assert.Contains("403", log, StringComparison.Ordinal);
        Assert.Contains("Grant it get on customresourcedefinitions.apiextensions.k8s.io", log, StringComparison.Ordinal);
        Assert.DoesNotContain("not installed", log, StringComparison.Ordinal);
        Assert.Contains(world.Api.Requests, r => r.Path.StartsWith("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/", StringComparison.Ordinal)
            && r.User == "system:serviceaccount:default:viewer");
    }

    [Fact]
    public async Task With_the_CRDs_but_no_Kafka_resource_kafka_fails_naming_it_and_the_keys()
    {
        await using var world = await ExistingClusterWorld.StartAsync();
        await world.InstallStrimziCrdsAsync();

        await using var app = await world.StartAppAsync("--KafkaDemo:External:Namespace=streaming", "--KafkaDemo:External:KafkaName=main");
        await FakeCluster.WaitForAsync(app, "cluster", s => s.State?.Text == KnownResourceStates.Running);
        await FakeCluster.WaitForAsync(app, "kafka", s => s.State?.Text == KnownResourceStates.FailedToStart);
        var log = await FakeCluster.LogsAsync(app, "kafka");
        Assert.Contains($"Kafka streaming/main is not in context {ExistingClusterWorld.ContextName} of {world.UserKubeconfig}", log, StringComparison.Ordinal);
        Assert.Contains("KafkaDemo:External:Namespace and KafkaDemo:External:KafkaName", log, StringComparison.Ordinal);
        Assert.Empty(world.Writes);
        Assert.Empty(world.Tools.Calls);
    }

    [Fact]
    public async Task With_another_namespace_and_Kafka_the_Roles_and_topics_name_them_and_the_Overseer_may_read_that_Kafka_only()
    {
        await using var world = await ExistingClusterWorld.StartAsync();
        await world.InstallStrimziCrdsAsync();
        world.AddReadyKafka("streaming", "main");
        world.AddReadyKafka("streaming", "other");
        using var topicOperator = world.SimulateTopicOperator();

        // The user's own KafkaTopic for the topic "clicks" of main: used, never changed.
        var theirs = world.Api.Put(new JsonObject
        {
            ["apiVersion"] = "kafka.strimzi.io/v1",
            ["kind"] = "KafkaTopic",
            ["metadata"] = new JsonObject { ["name"] = "user-clicks", ["namespace"] = "streaming", ["labels"] = new JsonObject { ["strimzi.io/cluster"] = "main" } },
            ["spec"] = new JsonObject { ["topicName"] = "clicks", ["partitions"] = 24, ["replicas"] = 3 },
            ["status"] = new JsonObject { ["observedGeneration"] = 1, ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }) },
        }, fieldManager: "their-gitops");

        await using var app = await world.StartAppAsync("--KafkaDemo:External:Namespace=streaming", "--KafkaDemo:External:KafkaName=main", "--KafkaDemo:Controller:Enabled=false");
        await FakeCluster.WaitForAsync(app, "kafka", s => s.State?.Text == KnownResourceStates.Running);

        // The Roles and bindings for Kafka are in streaming and name main; nothing went to the namespace kafka.
        var applied = world.Api.AppliedObjects;
        Assert.DoesNotContain(applied, a => a.Namespace == "kafka");
        var role = Assert.Single(applied, a => (string?)a.Configuration["kind"] == "Role" && a.Namespace == "streaming").Configuration;
        Assert.Equal(["main"], role["rules"]!.AsArray().Where(r => r!["resources"]!.AsArray().Any(x => (string?)x == "kafkas")).SelectMany(r => r!["resourceNames"]!.AsArray().Select(n => (string)n!)).Distinct());
        Assert.Single(applied, a => (string?)a.Configuration["kind"] == "RoleBinding" && a.Namespace == "streaming");

        // Only "orders" was applied, in streaming, for main; the user's KafkaTopic for "clicks" is as it was.
        var topic = Assert.Single(applied, a => (string?)a.Configuration["kind"] == "KafkaTopic");
        Assert.Equal(("streaming", "orders", "main"), (topic.Namespace, topic.Name, (string?)topic.Configuration["metadata"]!["labels"]!["strimzi.io/cluster"]));
        Assert.Empty(UpstreamSchemas.StrimziCrd("043-Crd-kafkatopic.yaml").Errors(topic.Configuration));
        Assert.Equal((string?)theirs["metadata"]!["resourceVersion"], (string?)world.Api.Get(ExistingClusterWorld.KafkaTopics, "streaming", "user-clicks")!["metadata"]!["resourceVersion"]);
        Assert.Contains("Topic clicks already has a KafkaTopic that is not the demo's, streaming/user-clicks: used as it is, never changed.", await FakeCluster.LogsAsync(app, "kafka"), StringComparison.Ordinal);
        Assert.DoesNotContain(world.Writes, w => w.Method == "DELETE");

        // The Overseer itself follows main in streaming with its own identity, and is refused nothing.
        await Eventually.TrueAsync(() => Task.FromResult(world.Api.Requests.Any(r => r.User == OverseerManifests.UserName
            && r.Path == "/apis/kafka.strimzi.io/v1/namespaces/streaming/kafkas/main" && r.StatusCode == 200)),
            TimeSpan.FromMinutes(2), "The Overseer never read Kafka streaming/main.");
        Assert.DoesNotContain(world.Api.Requests, r => r.User == OverseerManifests.UserName && r.StatusCode == 403);

        // As the Overseer (its kubeconfig, its token): the configured Kafka may be read and watched by name; the other Kafka
        // in the same namespace, and the namespace kafka, are refused by RBAC (resourceNames).
        var overseerConfig = KubernetesClientConfiguration.BuildConfigFromConfigFile(Path.Combine(world.StateDirectory, "cluster-overseer.kubeconfig"));
        Assert.Equal("streaming", overseerConfig.Namespace);
        using var overseer = new k8s.Kubernetes(overseerConfig);
        var token = TestContext.Current.CancellationToken;
        await overseer.CustomObjects.GetNamespacedCustomObjectAsync("kafka.strimzi.io", "v1", "streaming", "kafkas", "main", token);
        using (var watch = await overseer.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(
            "kafka.strimzi.io", "v1", "streaming", "kafkas", fieldSelector: "metadata.name=main", watch: true, timeoutSeconds: 1, cancellationToken: token))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, watch.Response.StatusCode);
        }

        var other = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            overseer.CustomObjects.GetNamespacedCustomObjectAsync("kafka.strimzi.io", "v1", "streaming", "kafkas", "other", token));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, other.Response.StatusCode);
        Assert.Equal($"kafkas.kafka.strimzi.io \"other\" is forbidden: User \"{OverseerManifests.UserName}\" cannot get resource \"kafkas\" in API group \"kafka.strimzi.io\" in the namespace \"streaming\"",
            (string?)JsonNode.Parse(other.Response.Content)!["message"]);
        var otherWatch = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            overseer.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(
                "kafka.strimzi.io", "v1", "streaming", "kafkas", fieldSelector: "metadata.name=other", watch: true, timeoutSeconds: 1, cancellationToken: token));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, otherWatch.Response.StatusCode);
        var defaults = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            overseer.CustomObjects.GetNamespacedCustomObjectAsync("kafka.strimzi.io", "v1", "kafka", "kafkas", "kafkademo", token));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, defaults.Response.StatusCode);
    }
}
