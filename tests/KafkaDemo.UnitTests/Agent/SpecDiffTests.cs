extern alias overseer;

using System.Text.Json.Nodes;
using overseer::KafkaDemo.Overseer.StrimziWatch;

namespace KafkaDemo.UnitTests.Agent;

/// <summary>What changed in the Kafka, KafkaNodePool and KafkaTopic resources (spec and metadata), and who changed it.</summary>
public sealed class SpecDiffTests
{
    private static JsonObject Kafka(string config) =>
        JsonNode.Parse("{\"spec\":{\"kafka\":{\"version\":\"4.3.1\",\"config\":{" + config + "}}}}")!.AsObject();

    [Fact]
    public void Config_keys_with_dots_are_one_setting_each()
    {
        var changes = SpecDiff.KafkaConfig(
            Kafka("\"num.io.threads\":2,\"num.network.threads\":2,\"queued.max.requests\":500"),
            Kafka("\"num.io.threads\":4,\"num.network.threads\":2,\"socket.send.buffer.bytes\":1048576"));

        Assert.Equal(
            ["num.io.threads 2→4", "queued.max.requests 500→(unset)", "socket.send.buffer.bytes (unset)→1048576"],
            changes.Select(c => c.ToString()));
    }

    [Fact]
    public void The_rest_of_the_Kafka_spec_and_the_node_pool_are_compared_field_by_field()
    {
        var before = Kafka("\"num.io.threads\":2");
        var after = Kafka("\"num.io.threads\":2");
        after["spec"]!["kafka"]!["version"] = "4.3.0";
        var poolBefore = JsonNode.Parse("""{"spec":{"replicas":3,"resources":{"limits":{"memory":"1Gi"}},"jvmOptions":{"-Xmx":"512m"}}}""")!.AsObject();
        var poolAfter = JsonNode.Parse("""{"spec":{"replicas":3,"resources":{"limits":{"memory":"2Gi"}},"jvmOptions":{"-Xmx":"1g"}}}""")!.AsObject();

        Assert.Empty(SpecDiff.KafkaConfig(before, after));
        Assert.Equal(["kafka.version 4.3.1→4.3.0"], SpecDiff.KafkaOther(before, after).Select(c => c.ToString()));
        Assert.Equal(["jvmOptions.-Xmx 512m→1g", "resources.limits.memory 1Gi→2Gi"], SpecDiff.NodePool(poolBefore, poolAfter).Select(c => c.ToString()));
    }

    [Fact]
    public void The_change_is_credited_to_the_manager_that_owns_the_changed_field()
    {
        var kafka = JsonNode.Parse("""
            {"metadata":{"managedFields":[
              {"manager":"kafkademo","operation":"Apply","time":"2026-11-30T05:00:00Z","fieldsV1":{"f:spec":{"f:kafka":{"f:config":{"f:num.io.threads":{},"f:num.network.threads":{}}}}}},
              {"manager":"kubectl-patch","operation":"Update","time":"2026-11-30T05:02:00Z","fieldsV1":{"f:spec":{"f:kafka":{"f:config":{"f:num.io.threads":{}}}}}},
              {"manager":"strimzi-cluster-operator","operation":"Update","subresource":"status","time":"2026-11-30T05:03:00Z","fieldsV1":{"f:status":{}}}
            ]}}
            """)!.AsObject();

        Assert.Equal("kubectl-patch", ManagedFields.ManagerOf(kafka, [["spec", "kafka", "config", "num.io.threads"]]));
        Assert.Equal("kafkademo", ManagedFields.ManagerOf(kafka, [["spec", "kafka", "config", "num.network.threads"]]));
        Assert.Equal("kubectl-patch", ManagedFields.ManagerOf(kafka, [["spec", "kafka", "config", "removed.key"]]));
    }

    [Fact]
    public void A_topic_compares_its_whole_spec_with_each_config_key_whole()
    {
        var before = JsonNode.Parse("""{"spec":{"partitions":3,"replicas":3,"config":{"retention.bytes":134217728}}}""")!.AsObject();
        var after = JsonNode.Parse("""{"spec":{"partitions":6,"replicas":3,"config":{"retention.bytes":134217728,"retention.ms":1000}}}""")!.AsObject();

        var changes = SpecDiff.Of("KafkaTopic", before, after);

        Assert.Equal(["config.retention.ms (unset)→1000", "partitions 3→6"], changes.Select(c => c.Change.ToString()));
        Assert.Equal(["spec", "config", "retention.ms"], changes[0].Field);
    }

    [Fact]
    public void Metadata_compares_labels_and_annotations_by_key_and_owner_references_finalizers_and_deletion_whole()
    {
        var before = JsonNode.Parse("""
            {"metadata":{"name":"orders","resourceVersion":"10","generation":1,"uid":"a",
              "labels":{"strimzi.io/cluster":"kafkademo"},
              "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"old\":1}"},
              "finalizers":["strimzi.io/topic-operator"],
              "managedFields":[{"manager":"kafkademo","time":"2026-11-30T05:00:00Z"}]},
             "spec":{"partitions":3},"status":{"observedGeneration":1}}
            """)!.AsObject();
        var noise = before.DeepClone().AsObject();
        noise["metadata"]!["resourceVersion"] = "11";
        noise["metadata"]!["managedFields"] = JsonNode.Parse("""[{"manager":"strimzi-topic-operator","time":"2026-11-30T05:01:00Z","subresource":"status"}]""");
        noise["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"] = "{\"new\":2}";
        noise["metadata"]!["finalizers"] = new JsonArray();
        noise["status"] = JsonNode.Parse("""{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True"}]}""");

        Assert.Empty(SpecDiff.Of("KafkaTopic", before, noise));

        var after = before.DeepClone().AsObject();
        after["metadata"]!["labels"]!["strimzi.io/cluster"] = "other";
        after["metadata"]!["annotations"]!["strimzi.io/pause-reconciliation"] = "true";
        after["metadata"]!["finalizers"] = new JsonArray("strimzi.io/topic-operator", "example.com/keep");
        after["metadata"]!["ownerReferences"] = JsonNode.Parse("""[{"kind":"ConfigMap","name":"x","uid":"u"}]""");
        after["metadata"]!["deletionTimestamp"] = "2026-11-30T05:02:00Z";

        var changes = SpecDiff.Of("KafkaTopic", before, after);

        Assert.Equal(
            [
                "metadata.labels.strimzi.io/cluster kafkademo→other",
                "metadata.annotations.strimzi.io/pause-reconciliation (unset)→true",
                """metadata.ownerReferences (unset)→[{"kind":"ConfigMap","name":"x","uid":"u"}]""",
                """metadata.finalizers (unset)→["example.com/keep"]""",
                "metadata.deletionTimestamp (unset)→2026-11-30T05:02:00Z",
            ],
            changes.Select(c => c.Change.ToString()));
        Assert.Equal(["metadata", "annotations", "strimzi.io/pause-reconciliation"], changes[1].Field);
    }

    [Fact]
    public void A_metadata_change_is_credited_to_the_manager_that_owns_that_key()
    {
        var kafka = JsonNode.Parse("""
            {"metadata":{"annotations":{"strimzi.io/pause-reconciliation":"true"},"managedFields":[
              {"manager":"kafkademo","operation":"Apply","time":"2026-11-30T05:05:00Z","fieldsV1":{"f:spec":{"f:kafka":{"f:config":{"f:num.io.threads":{}}}}}},
              {"manager":"kubectl-annotate","operation":"Update","time":"2026-11-30T05:02:00Z","fieldsV1":{"f:metadata":{"f:annotations":{"f:strimzi.io/pause-reconciliation":{}}}}}
            ]},"spec":{"kafka":{"config":{"num.io.threads":2}}}}
            """)!.AsObject();
        var before = kafka.DeepClone().AsObject();
        before["metadata"]!.AsObject().Remove("annotations");

        var change = Assert.Single(SpecDiff.Of("Kafka", before, kafka));

        Assert.Equal("kubectl-annotate", ManagedFields.ManagerOf(kafka, [change.Field]));
    }

    [Fact]
    public void The_line_names_the_resource_except_for_the_Kafka_resources_spec()
    {
        var at = DateTimeOffset.UnixEpoch;
        Assert.Equal("num.io.threads 2→4 (kubectl-patch)", new ClusterChange(at, "Kafka kafkademo", 2, "kubectl-patch", [new SpecChange("num.io.threads", "2", "4")]).Line);
        Assert.Equal("Kafka kafkademo: metadata.annotations.a (unset)→b (kubectl-annotate)",
            new ClusterChange(at, "Kafka kafkademo", 1, "kubectl-annotate", [new SpecChange("metadata.annotations.a", null, "b")], ClusterChangeKind.Metadata).Line);
        Assert.Equal("KafkaNodePool dual: replicas 3→1 (kubectl-patch)", new ClusterChange(at, "KafkaNodePool dual", 2, "kubectl-patch", [new SpecChange("replicas", "3", "1")]).Line);
        Assert.Equal("KafkaTopic audit created (kubectl-create)", new ClusterChange(at, "KafkaTopic audit", 1, "kubectl-create", [], ClusterChangeKind.Created).Line);
        Assert.Equal("KafkaTopic audit deleted", new ClusterChange(at, "KafkaTopic audit", 1, "unknown", [], ClusterChangeKind.Deleted).Line);
    }
}
