using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>Scripting the world: write hooks, the scripted controllers and direct store access, seen through KubernetesClient.</summary>
public sealed class ScriptingTests
{
    [Fact]
    public async Task A_scripted_operator_makes_the_Kafka_Ready_with_bootstrap_servers_that_a_watch_sees()
    {
        await using var cluster = await StartAsync();
        using var operatorScript = cluster.Api.KafkasBecomeReady(TimeSpan.FromMilliseconds(200));
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "Kafka", "kafkas");
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "kafka" } }, cancellationToken: Token);
        var applied = Json(await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "kafka"), "kafkademo-apphost"));
        Assert.Null(applied["status"]);

        var ready = await WaitForReadyAsync(cluster, "demo", applied["metadata"]!["resourceVersion"]!.GetValue<string>(), generation: 1);
        var listener = Assert.Single(ready["status"]!["listeners"]!.AsArray())!;
        Assert.Equal("plain", listener["name"]!.GetValue<string>());
        Assert.Equal("demo-kafka-bootstrap.kafka.svc:9092", listener["bootstrapServers"]!.GetValue<string>());
        Assert.Equal("strimzi-cluster-operator", Assert.Single(ready["metadata"]!["managedFields"]!.AsArray(), e => e!["subresource"] is not null)!["manager"]!.GetValue<string>());

        // A spec change makes the operator reconcile again: observedGeneration follows.
        var scaled = Json(await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "kafka", replicas: 5), "kafkademo-apphost"));
        var again = await WaitForReadyAsync(cluster, "demo", scaled["metadata"]!["resourceVersion"]!.GetValue<string>(), generation: 2);
        Assert.Equal(2, again["status"]!["observedGeneration"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_scripted_deployment_controller_makes_the_operator_available()
    {
        await using var cluster = await StartAsync();
        using var controller = cluster.Api.DeploymentsBecomeAvailable();
        var deployment = PatchTests.Deployment("strimzi-cluster-operator", replicas: 1);
        deployment.ApiVersion = "apps/v1";
        deployment.Kind = "Deployment";

        var applied = await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(deployment, V1Patch.PatchType.ApplyPatch), deployment.Metadata.Name, "default", fieldManager: "kafkademo-apphost", cancellationToken: Token);

        using var deadline = DeadlineToken();
        await foreach (var (_, item) in cluster.Client.AppsV1.WatchListNamespacedDeploymentAsync(
            "default", fieldSelector: $"metadata.name={deployment.Metadata.Name}", resourceVersion: applied.Metadata.ResourceVersion, cancellationToken: deadline.Token))
        {
            if (item.Status?.Conditions?.Any(c => c.Type == "Available" && c.Status == "True") == true)
            {
                Assert.Equal(1, item.Status.AvailableReplicas);
                Assert.Equal(item.Metadata.Generation, item.Status.ObservedGeneration);
                return;
            }
        }

        Assert.Fail("The deployment never became available.");
    }

    [Fact]
    public async Task A_write_hook_sees_who_wrote_what_and_can_answer_with_a_status()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "KafkaTopic", "kafkatopics");
        var seen = new List<ObjectWrite>();
        using var hook = cluster.Api.OnWrite(
            write => write.IsOf(Strimzi.KafkaTopics) && write.Type == WatchEventType.Added,
            (write, _) =>
            {
                lock (seen)
                {
                    seen.Add(write);
                }

                cluster.Api.PatchStatus(write.Resource, write.Namespace, write.Name, Parse("""{"conditions":[{"type":"Ready","status":"True"}],"topicName":"orders"}"""), "strimzi-topic-operator");
                return Task.CompletedTask;
            });

        await Strimzi.ApplyAsync(cluster.Client, Parse("""{"apiVersion":"kafka.strimzi.io/v1","kind":"KafkaTopic","metadata":{"name":"orders","namespace":"default"},"spec":{"partitions":6}}"""), "kafkademo-apphost");

        await Eventually.TrueAsync(
            () => cluster.Api.Get(Strimzi.KafkaTopics, "default", "orders")?["status"]?["topicName"] is not null,
            Deadline, "The hook's status never arrived.");
        var write = Assert.Single(seen);
        Assert.Equal("apply", write.Verb);
        Assert.Equal("kafkademo-apphost", write.FieldManager);
        Assert.True(write.ThroughApi);
        Assert.Equal(6, write.Item["spec"]!["partitions"]!.GetValue<int>());
    }

    [Fact]
    public async Task Direct_writes_are_seen_by_clients_and_their_watches()
    {
        await using var cluster = await StartAsync();
        var list = await cluster.Client.CoreV1.ListNamespacedPodAsync("default", cancellationToken: Token);
        using var deadline = DeadlineToken();
        var seen = new List<(WatchEventType, string?)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, pod) in cluster.Client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: deadline.Token))
            {
                seen.Add((type, pod.Status?.Phase));
                if (seen.Count == 3)
                {
                    return;
                }
            }
        }, Token);

        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"broker-0","namespace":"default"},"spec":{"containers":[{"name":"kafka","image":"i"}]},"status":{"phase":"Pending"}}"""));
        cluster.Api.PatchStatus(ResourceType.Pods, "default", "broker-0", Parse("""{"phase":"Running"}"""));
        Assert.Equal("Running", cluster.Api.Get<V1Pod>(ResourceType.Pods, "default", "broker-0")!.Status.Phase);
        Assert.Single(cluster.Api.List(ResourceType.Pods));
        Assert.True(cluster.Api.Delete(ResourceType.Pods, "default", "broker-0"));
        Assert.False(cluster.Api.Delete(ResourceType.Pods, "default", "broker-0"));
        await watching.WaitAsync(Deadline, Token);

        Assert.Equal([(WatchEventType.Added, "Pending"), (WatchEventType.Modified, "Running"), (WatchEventType.Deleted, "Running")], seen);
    }

    [Fact]
    public async Task A_failing_write_hook_fails_the_test_when_the_fake_is_disposed()
    {
        var api = await FakeKubernetesApi.StartAsync(cancellationToken: Token);
        using var hook = api.OnWrite(write => write.IsOf(ResourceType.ConfigMaps), (_, _) => throw new InvalidOperationException("script bug"));
        api.Put(Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"default"}}"""));

        await Eventually.TrueAsync(() => api.ReactionFailures.Count == 1, Deadline, "The hook did not run.");
        var failure = await Assert.ThrowsAsync<AggregateException>(() => api.DisposeAsync().AsTask());
        Assert.Equal("script bug", Assert.Single(failure.InnerExceptions).Message);
    }

    private static async Task<JsonObject> WaitForReadyAsync(FakeCluster cluster, string name, string fromVersion, long generation)
    {
        using var deadline = DeadlineToken();
        await foreach (var (_, item) in cluster.Client.CustomObjects.WatchListNamespacedCustomObjectAsync(
            Strimzi.Group, Strimzi.Version, "kafka", "kafkas", fieldSelector: $"metadata.name={name}", resourceVersion: fromVersion, cancellationToken: deadline.Token))
        {
            var kafka = Json(item);
            var isReady = kafka["status"]?["conditions"] is JsonArray conditions
                && conditions.Any(c => c!["type"]!.GetValue<string>() == "Ready" && c["status"]!.GetValue<string>() == "True");
            if (isReady && kafka["status"]!["observedGeneration"]!.GetValue<long>() == generation)
            {
                return kafka;
            }
        }

        throw new InvalidOperationException("The watch ended before the Kafka was Ready.");
    }
}
