extern alias overseer;

using System.Text.Json.Nodes;
using KafkaDemo.DeploymentContract.Strimzi;
using overseer::KafkaDemo.Overseer.BrokerPresets;

namespace KafkaDemo.UnitTests.Agent;

/// <summary>The merge patch that makes the Kafka resource's whole broker config a preset, and what it says it did.</summary>
public sealed class PresetPatchTests
{
    private static readonly Dictionary<string, string> Modest = new(StringComparer.Ordinal)
    {
        ["num.io.threads"] = "2",
        ["num.network.threads"] = "2",
        ["min.insync.replicas"] = "2",
        ["auto.create.topics.enable"] = "false",
    };

    private static JsonObject Kafka(string config, string annotations = "{}") => JsonNode.Parse(
        """{"apiVersion":"kafka.strimzi.io/v1","kind":"Kafka","metadata":{"name":"kafkademo","namespace":"kafka","resourceVersion":"42","annotations":"""
        + annotations + """},"spec":{"kafka":{"version":"4.3.1","config":{""" + config + "}}}}")!.AsObject();

    [Fact]
    public void Keys_the_agent_added_are_removed_changed_ones_set_and_the_pause_annotation_removed_under_the_version_read()
    {
        var kafka = Kafka(
            "\"num.io.threads\":8,\"num.network.threads\":2,\"min.insync.replicas\":2,\"auto.create.topics.enable\":false,\"socket.send.buffer.bytes\":1048576,\"log.retention.ms\":1000",
            """{"strimzi.io/pause-reconciliation":"true","team":"agents"}""");

        var patch = PresetPatch.For(kafka, Modest);

        Assert.Equal(
            """{"metadata":{"resourceVersion":"42","annotations":{"strimzi.io/pause-reconciliation":null}},"spec":{"kafka":{"config":{"num.io.threads":2,"log.retention.ms":null,"socket.send.buffer.bytes":null}}}}""",
            patch.Patch.ToJsonString());
        Assert.Equal(["num.io.threads 8→2"], patch.Set.Select(c => c.ToString()));
        Assert.Equal(["log.retention.ms 1000→(unset)", "socket.send.buffer.bytes 1048576→(unset)"], patch.Removed.Select(c => c.ToString()));
        Assert.Equal("true", patch.PauseRemoved);
        Assert.Equal(
            "Broker config reset to the 'modest' preset: set num.io.threads 8→2; removed log.retention.ms (was 1000), socket.send.buffer.bytes (was 1048576); "
            + "removed the strimzi.io/pause-reconciliation annotation (was true)",
            patch.Describe("modest"));
    }

    [Fact]
    public void A_resource_already_at_the_preset_needs_no_change_and_values_keep_their_json_types()
    {
        var kafka = Kafka("\"num.io.threads\":2,\"num.network.threads\":2,\"min.insync.replicas\":2,\"auto.create.topics.enable\":false");

        var patch = PresetPatch.For(kafka, Modest);

        Assert.True(patch.ChangesNothing);
        Assert.Equal("""{"metadata":{"resourceVersion":"42"}}""", patch.Patch.ToJsonString());
        Assert.Equal("Broker config reset to the 'modest' preset: set nothing (every key already had the preset's value); removed no key", patch.Describe("modest"));
    }

    [Fact]
    public void A_missing_config_gets_every_key_of_the_preset_typed_as_the_manifest_types_it()
    {
        var kafka = JsonNode.Parse("""{"metadata":{"resourceVersion":"7"},"spec":{"kafka":{}}}""")!.AsObject();

        var patch = PresetPatch.For(kafka, new Dictionary<string, string>(StringComparer.Ordinal) { ["a"] = "false", ["b"] = "0.5", ["c"] = "lz4", ["d"] = "3" });

        Assert.Equal("""{"metadata":{"resourceVersion":"7"},"spec":{"kafka":{"config":{"a":false,"b":0.5,"c":"lz4","d":3}}}}""", patch.Patch.ToJsonString());
        Assert.Null(patch.PauseRemoved);
    }

    [Theory]
    [InlineData("3", "3")]
    [InlineData("false", "false")]
    [InlineData("0.75", "0.75")]
    [InlineData("\"zstd\"", "zstd")]
    [InlineData("\"1e3\"", "1e3")]
    public void A_value_read_back_from_its_text_is_the_same_json(string json, string text)
    {
        var node = JsonNode.Parse(json)!;

        Assert.Equal(text, BrokerConfigValue.Text(node));
        Assert.Equal(json, BrokerConfigValue.Parse(text).ToJsonString());
    }
}
