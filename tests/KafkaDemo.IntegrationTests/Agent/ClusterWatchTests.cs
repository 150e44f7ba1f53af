extern alias overseer;

using System.Net;
using System.Text.Json.Nodes;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using k8s;
using k8s.Models;
using overseer::KafkaDemo.Overseer.Control;
using overseer::KafkaDemo.Overseer.StrimziWatch;
using overseer::KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.IntegrationTests.Agent;

/// <summary>
/// What the Overseer's watch reports, through the real KubernetesClient against the fake API
/// server: every change anyone makes to the Kafka, the node pool and every KafkaTopic, metadata-only
/// changes included, each with its diff and field manager; and none for what is not a user's change
/// (status writes, the Topic Operator's finalizer).
/// </summary>
public sealed class ClusterWatchTests
{
    private const string TopicsPath = "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkatopics";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Annotations_labels_and_owner_references_are_events_naming_who_and_status_writes_are_not()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var watcher = await StartWatchingAsync(cluster);
        try
        {
            using var client = cluster.Api.CreateClient();

            // Strimzi's status write after a reconciliation: no event.
            cluster.Api.PatchStatus(AgentCluster.Kafkas, "kafka", "kafkademo",
                JsonNode.Parse("""{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True"}]}""")!.AsObject(), "strimzi-cluster-operator");

            // kubectl annotate kafka kafkademo strimzi.io/pause-reconciliation=true (kubectl 1.32's manager: kubectl-annotate).
            await PatchAsync(client, "kafkas", StrimziNames.KafkaName, """{"metadata":{"annotations":{"strimzi.io/pause-reconciliation":"true"}}}""", "kubectl-annotate");
            await PatchAsync(client, "kafkanodepools", StrimziNames.NodePoolName, """{"metadata":{"labels":{"team":"agents"}}}""", "kubectl-label");
            await PatchAsync(client, "kafkas", StrimziNames.KafkaName,
                """{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"doomed","uid":"0b5e4c0e-0000-4000-8000-000000000001"}]}}""", "kubectl-patch");

            // Each kind has its own watch, so the node pool's event may come before or after the Kafka's.
            var events = await EventuallyEventsAsync(cluster, 3);
            Assert.Equal(
                [
                    "Kafka kafkademo: metadata.annotations.strimzi.io/pause-reconciliation (unset)→true (kubectl-annotate)",
                    """Kafka kafkademo: metadata.ownerReferences (unset)→[{"apiVersion":"v1","kind":"ConfigMap","name":"doomed","uid":"0b5e4c0e-0000-4000-8000-000000000001"}] (kubectl-patch)""",
                    "KafkaNodePool dual: metadata.labels.team (unset)→agents (kubectl-label)",
                ],
                events.Select(e => e.Message).Order(StringComparer.Ordinal));
            Assert.All(events, e => Assert.Equal("metadata", e.Details!["kind"]));
            Assert.All(cluster.Get<KafkaResourceState>().Changes, c => Assert.Equal(ClusterChangeKind.Metadata, c.Kind));

            // The annotation takes nothing from the brokers: the sustainable-rate measurement goes on.
            Assert.Equal("start of the run", cluster.Get<SustainableRateRecord>().Current.Configuration);

            // Taking it off again is an event too. Who removed it is not known: a removed field has no
            // owner in managedFields, so the event names the latest writer there (ManagedFields.ManagerOf).
            await PatchAsync(client, "kafkas", StrimziNames.KafkaName, """{"metadata":{"annotations":{"strimzi.io/pause-reconciliation":null}}}""", "kubectl-annotate");
            var removed = await EventuallyEventsAsync(cluster, 4);
            Assert.StartsWith("Kafka kafkademo: metadata.annotations.strimzi.io/pause-reconciliation true→(unset) (", removed[3].Message, StringComparison.Ordinal);
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Every_KafkaTopic_change_is_an_event_a_created_and_a_deleted_topic_too_but_not_the_Topic_Operators_own_writes()
    {
        await using var cluster = await AgentCluster.StartAsync();
        var watcher = await StartWatchingAsync(cluster);
        try
        {
            using var client = cluster.Api.CreateClient();

            // The Topic Operator's own writes: its finalizer, then its status.
            await PatchAsync(client, "kafkatopics", "orders", """{"metadata":{"finalizers":["strimzi.io/topic-operator"]}}""", "strimzi-topic-operator");
            cluster.Api.PatchStatus(AgentCluster.Topics, StrimziNames.Namespace, "orders",
                JsonNode.Parse("""{"observedGeneration":1,"topicName":"orders","conditions":[{"type":"Ready","status":"True"}]}""")!.AsObject(), "strimzi-topic-operator");

            // The records would go before anyone read them: exactly what must not go unseen.
            await PatchAsync(client, "kafkatopics", "orders", """{"spec":{"config":{"retention.ms":1000}}}""", "kubectl-patch");
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse("""
                {"apiVersion":"kafka.strimzi.io/v1","kind":"KafkaTopic","metadata":{"name":"audit","labels":{"strimzi.io/cluster":"kafkademo"}},
                 "spec":{"partitions":1,"replicas":3}}
                """)!.AsObject(), "kafka.strimzi.io", "v1", "kafka", "kafkatopics", fieldManager: "kubectl-create", cancellationToken: Token);
            await client.CustomObjects.DeleteNamespacedCustomObjectAsync("kafka.strimzi.io", "v1", "kafka", "kafkatopics", "clicks", cancellationToken: Token);

            var events = await EventuallyEventsAsync(cluster, 3);
            Assert.Equal(
                [
                    "KafkaTopic orders: config.retention.ms 600000→1000 (kubectl-patch)", // k3d/kafka/topics.yaml keeps orders 10 min
                    "KafkaTopic audit created (kubectl-create)",
                    "KafkaTopic clicks deleted",
                ],
                events.Select(e => e.Message));
            var changes = cluster.Get<KafkaResourceState>().Changes;
            Assert.Equal([ClusterChangeKind.Spec, ClusterChangeKind.Created, ClusterChangeKind.Deleted], changes.Select(c => c.Kind));
            Assert.Equal(["partitions (unset)→1", "replicas (unset)→3"], changes[1].Changes.Select(c => c.ToString()));

            // A topic's spec changes what runs: the measurement starts again.
            Assert.Equal("KafkaTopic clicks deleted", cluster.Get<SustainableRateRecord>().Current.Configuration);
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_topic_deleted_and_one_changed_while_nothing_watched_are_found_when_the_topics_are_read_again()
    {
        await using var cluster = await AgentCluster.StartAsync();

        // The first watch of the topics is refused, so the Overseer reads them again after its
        // wait; just before that read, clicks goes and orders changes, while nothing watches.
        using var refused = cluster.Api.AddFault(new FaultRule { Matches = IsTopicWatch, Status = HttpStatusCode.ServiceUnavailable, Times = 1 });
        var lists = 0;
        using var meanwhile = cluster.Api.AddFault(new FaultRule
        {
            Matches = r =>
            {
                if (IsTopicList(r) && Interlocked.Increment(ref lists) == 2)
                {
                    cluster.Api.Delete(AgentCluster.Topics, StrimziNames.Namespace, "clicks");
                    var orders = cluster.Api.Get(AgentCluster.Topics, StrimziNames.Namespace, "orders")!;
                    orders["spec"]!["partitions"] = 12;
                    cluster.Api.Put(orders, "kubectl-edit");
                }

                return false;
            },
        });
        var watcher = cluster.Get<IEnumerable<IHostedService>>().OfType<KafkaResourceWatcher>().Single();
        await watcher.StartAsync(Token);
        try
        {
            var events = await EventuallyEventsAsync(cluster, 2);
            Assert.Equal(["KafkaTopic clicks deleted", "KafkaTopic orders: partitions 6→12 (kubectl-edit)"], events.Select(e => e.Message).Order(StringComparer.Ordinal));
            Assert.Equal(2, Volatile.Read(ref lists));
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// The API server ends a watch at its <c>timeoutSeconds</c> without a line when nothing changed
    /// (k8s.io/apiserver v0.32.13 pkg/endpoints/handlers/watch.go WatchServer.HandleHTTP,
    /// <c>case &lt;-timeoutCh: return</c>), as the fake does (its WatchStream). KubernetesClient surfaces
    /// that as an HttpRequestException around EndOfStreamException (QuietWatchEnd): the watch is read and
    /// opened again at once, with no warning and no backoff, and a change made after that still arrives, once.
    /// </summary>
    [Fact]
    public async Task A_watch_the_server_ends_quietly_at_its_timeout_is_opened_again_without_a_warning_and_a_later_change_arrives()
    {
        var logs = new LogCapture();
        await using var cluster = await AgentCluster.StartAsync(AgentCluster.Options(), time: null,
            (services, _) => services.AddSingleton<ILoggerProvider>(logs), "Overseer:Cluster:WatchSeconds=1");
        var watcher = await StartWatchingAsync(cluster);
        try
        {
            // Three watches of the Kafka end quietly one after the other (1 s each; a backoff would wait 1, 2, 4 s between them).
            await Eventually.TrueAsync(() => KafkaWatches(cluster) >= 4, Deadline, "The Kafka's watch was not opened again after it ended quietly.");
            Assert.All(cluster.Api.Requests.Where(r => IsKafkaWatch(r) && r.StatusCode is not null), r => Assert.Equal(200, r.StatusCode));
            Assert.Empty(cluster.Get<KafkaResourceState>().Changes);

            var kafka = cluster.Api.Get(AgentCluster.Kafkas, StrimziNames.Namespace, StrimziNames.KafkaName)!;
            kafka["spec"]!["kafka"]!["config"]!["num.io.threads"] = 5;
            kafka["metadata"]!.AsObject().Remove("managedFields");
            cluster.Api.Put(kafka, "kubectl-edit");

            var state = cluster.Get<KafkaResourceState>();
            await Eventually.TrueAsync(() => state.Changes.Any(c => c.Summary == "num.io.threads 2→5"), Deadline, "The change after the quiet ends did not arrive.");
            Assert.Single(state.Changes, c => c.Summary == "num.io.threads 2→5");
            Assert.False(watcher.ExecuteTask!.IsCompleted, "The watcher stopped.");
            var complaints = logs.Lines.Where(l => l.Category == typeof(KafkaResourceWatcher).FullName && l.Level >= LogLevel.Warning).ToList();
            Assert.True(complaints.Count == 0, $"A quiet end was logged as a failure: {string.Join(" | ", complaints.Select(l => l.Message))}");
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    private const string KafkaPath = "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkas";

    private static bool IsKafkaWatch(RecordedRequest r) => r.Path == KafkaPath && r.QueryValues("watch").Any(v => v is "true" or "1");

    private static int KafkaWatches(AgentCluster cluster) => cluster.Api.Requests.Count(IsKafkaWatch);

    private static bool IsTopicList(RecordedRequest r) => r.Method == "GET" && r.Path == TopicsPath && !IsTopicWatch(r);

    private static bool IsTopicWatch(RecordedRequest r) => r.Path == TopicsPath && r.QueryValues("watch").Any(v => v is "true" or "1");

    /// <summary>Starts the watch and waits until it watches all three kinds, so what the test changes next is a change, not the start.</summary>
    private static async Task<KafkaResourceWatcher> StartWatchingAsync(AgentCluster cluster)
    {
        var watcher = cluster.Get<IEnumerable<IHostedService>>().OfType<KafkaResourceWatcher>().Single();
        await watcher.StartAsync(Token);
        foreach (var plural in new[] { "kafkas", "kafkanodepools", "kafkatopics" })
        {
            await Eventually.TrueAsync(() => cluster.Api.Requests.Any(r => r.Path == $"/apis/kafka.strimzi.io/v1/namespaces/kafka/{plural}"
                && r.QueryValues("watch").Any(v => v is "true" or "1")), Deadline, $"The Overseer did not watch {plural}.");
        }

        return watcher;
    }

    private static Task<object> PatchAsync(k8s.Kubernetes client, string plural, string name, string patch, string fieldManager) =>
        client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "kafka.strimzi.io", "v1", "kafka", plural, name,
            fieldManager: fieldManager, cancellationToken: Token);

    /// <summary>The watch's events once there are <paramref name="count"/>; fails if there are more.</summary>
    private static async Task<IReadOnlyList<TimelineEvent>> EventuallyEventsAsync(AgentCluster cluster, int count)
    {
        IReadOnlyList<TimelineEvent> events = [];
        await Eventually.TrueAsync(() =>
        {
            events = [.. cluster.Get<RunTimeline>().Snapshot().Events.Where(e => e.Kind == EventKinds.BrokerConfig && !e.Message.StartsWith("Brokers ready", StringComparison.Ordinal))];
            return events.Count >= count;
        }, Deadline, $"Fewer than {count} cluster events.");
        Assert.True(events.Count == count, $"More events than expected: {string.Join(" | ", events.Select(e => e.Message))}");
        return events;
    }
}
