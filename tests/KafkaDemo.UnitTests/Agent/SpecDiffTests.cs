extern alias overseer;

using System.Text.Json.Nodes;
using overseer::KafkaDemo.Overseer.Cluster;

namespace KafkaDemo.UnitTests.Agent;

/// <summary>What changed in the Kafka and KafkaNodePool resources, and who changed it.</summary>
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
}
