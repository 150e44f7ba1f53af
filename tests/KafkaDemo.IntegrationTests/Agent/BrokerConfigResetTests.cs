extern alias overseer;

using System.Net;
using System.Text.Json.Nodes;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.TestSupport.Kubernetes;
using k8s;
using k8s.Models;
using overseer::KafkaDemo.Overseer.BrokerPresets;
using overseer::KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.IntegrationTests.Agent;

/// <summary>
/// <em>Reset broker config</em> through the real KubernetesClient against the fake API server: the
/// Kafka resource's whole <c>spec.kafka.config</c> becomes the preset (keys the agent added go), the
/// pause annotation goes, and a change made by someone else between the Overseer's read and its
/// patch is not left behind.
/// </summary>
public sealed class BrokerConfigResetTests
{
    /// <summary>A whole preset, as the AppHost passes it: more keys than the fixture's Kafka has.</summary>
    private static readonly string[] Preset =
    [
        "Overseer:Cluster:Presets:modest:min.insync.replicas=2",
        "Overseer:Cluster:Presets:modest:auto.create.topics.enable=false",
        "Overseer:Cluster:Presets:kafka-defaults:min.insync.replicas=2",
        "Overseer:Cluster:Presets:kafka-defaults:auto.create.topics.enable=false",
    ];


    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_reset_makes_the_whole_config_the_preset_removes_added_keys_and_the_pause_annotation_and_says_so()
    {
        await using var cluster = await AgentCluster.StartAsync(true, Preset);
        using var client = cluster.Api.CreateClient();
        var modest = Sorted(Config(cluster)); // k3d/kafka/kafka.yaml's, as applied

        // What an agent could have done: tuned, added keys, paused Strimzi.
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""
            {"metadata":{"annotations":{"strimzi.io/pause-reconciliation":"true"}},
             "spec":{"kafka":{"config":{"num.io.threads":16,"log.retention.ms":1000,"unclean.leader.election.enable":true}}}}
            """, V1Patch.PatchType.MergePatch), "kafka.strimzi.io", "v1", "kafka", "kafkas", "kafkademo", fieldManager: "kubectl-patch", cancellationToken: Token);

        var result = await cluster.Get<BrokerConfigPresets>().ApplyAsync("modest", Token);

        var kafka = cluster.Api.Get(AgentCluster.Kafkas, StrimziNames.Namespace, StrimziNames.KafkaName)!;
        Assert.Equal(modest, Sorted(kafka["spec"]!["kafka"]!["config"]!.AsObject()));
        Assert.Null(kafka["metadata"]!["annotations"]?["strimzi.io/pause-reconciliation"]);
        Assert.Equal("true", result.PauseRemoved);
        var reset = Assert.Single(cluster.Get<RunTimeline>().Snapshot().Events, e => e.Message.StartsWith("Broker config reset", StringComparison.Ordinal));
        Assert.Equal(
            "Broker config reset to the 'modest' preset: set num.io.threads 16→2; "
            + "removed log.retention.ms (was 1000), unclean.leader.election.enable (was true); removed the strimzi.io/pause-reconciliation annotation (was true)",
            reset.Message);
        Assert.Equal(true, reset.Details!["pauseAnnotationRemoved"]);

        // One read and one merge patch under the version read, as the Overseer's field manager.
        var patch = Assert.Single(cluster.Api.Requests, r => r.Method == "PATCH" && r.FieldManager == BrokerConfigPresets.FieldManager);
        Assert.Equal(200, patch.StatusCode);
        Assert.Equal("application/merge-patch+json", patch.ContentType?.Split(';')[0]);
        Assert.NotNull((string?)JsonNode.Parse(patch.Body!)!["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task A_key_added_between_the_read_and_the_patch_is_not_left_behind()
    {
        await using var cluster = await AgentCluster.StartAsync(true, Preset);
        var defaults = Config(cluster);
        defaults["num.io.threads"] = 8; // Kafka's defaults for the two the cluster starts modest on
        defaults["num.network.threads"] = 3;

        // Just as the Overseer's first patch arrives, someone else adds a key (the store commits it
        // before the patch is handled): the patch, computed without it, must not land.
        using var race = ChangeOnOverseersPatch(cluster, patch => patch == 1);

        await cluster.Get<BrokerConfigPresets>().ApplyAsync("kafka-defaults", Token);

        Assert.Equal(Sorted(defaults), Sorted(Config(cluster)));
        Assert.Equal([409, 200], cluster.Api.Requests.Where(r => r.Method == "PATCH" && r.FieldManager == BrokerConfigPresets.FieldManager).Select(r => r.StatusCode));
        var reset = Assert.Single(cluster.Get<RunTimeline>().Snapshot().Events, e => e.Message.StartsWith("Broker config reset", StringComparison.Ordinal));
        Assert.Contains("removed compression.type (was zstd-1)", reset.Message, StringComparison.Ordinal);
        Assert.Equal(2, reset.Details!["attempts"]);
    }

    [Fact]
    public async Task A_resource_that_changes_under_every_attempt_fails_the_reset_with_why_and_records_nothing()
    {
        await using var cluster = await AgentCluster.StartAsync(true, Preset);
        using var race = ChangeOnOverseersPatch(cluster, _ => true);

        // kafka-defaults: modest is what k3d/kafka/kafka.yaml starts with, so it would change nothing.
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.Get<BrokerConfigPresets>().ApplyAsync("kafka-defaults", Token));

        Assert.Equal($"The Kafka resource kafka/kafkademo changed under each of {BrokerConfigPresets.MaxAttempts} attempts to reset it; try again.", failure.Message);
        Assert.Equal(BrokerConfigPresets.MaxAttempts, cluster.Api.Requests.Count(r => r.Method == "PATCH" && r.StatusCode == (int)HttpStatusCode.Conflict));
        Assert.DoesNotContain(cluster.Get<RunTimeline>().Snapshot().Events, e => e.Message.StartsWith("Broker config reset", StringComparison.Ordinal));
    }

    /// <summary>
    /// Someone else writes compression.type into the Kafka resource as the Overseer's patches
    /// arrive (those <paramref name="on"/> picks, by number from 1), before the fake handles them.
    /// </summary>
    private static IDisposable ChangeOnOverseersPatch(AgentCluster cluster, Func<int, bool> on)
    {
        var patches = 0;
        return cluster.Api.AddFault(new FaultRule
        {
            Matches = r =>
            {
                if (r.Method == "PATCH" && r.FieldManager == BrokerConfigPresets.FieldManager && Interlocked.Increment(ref patches) is var n && on(n))
                {
                    var kafka = cluster.Api.Get(AgentCluster.Kafkas, StrimziNames.Namespace, StrimziNames.KafkaName)!;
                    kafka["spec"]!["kafka"]!["config"]!["compression.type"] = $"zstd-{n}";
                    cluster.Api.Put(kafka, "kubectl-patch");
                }

                return false;
            },
        });
    }

    private static JsonObject Config(AgentCluster cluster) =>
        cluster.Api.Get(AgentCluster.Kafkas, StrimziNames.Namespace, StrimziNames.KafkaName)!["spec"]!["kafka"]!["config"]!.AsObject().DeepClone().AsObject();

    private static string Sorted(JsonObject config) =>
        new JsonObject(config.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))).ToJsonString();
}
