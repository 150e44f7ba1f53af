using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Strimzi;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.Messaging.Topics;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// The presets the AppHost hands the Overseer are whole broker configs: <c>modest</c> is exactly the
/// config it applies (so a reset to it is the start), <c>kafka-defaults</c> the same keys with the
/// tuning ones at Kafka's defaults.
/// </summary>
public sealed class BrokerConfigBaselinesTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void Modest_is_the_whole_config_the_AppHost_applies_and_reads_back_as_the_same_json(int brokers)
    {
        var k3d = new K3dSettings { Brokers = brokers };
        k3d.BrokerConfig["log.flush.interval.ms"] = "1000";
        var layout = new KafkaLayout(k3d, TopicSpec.Parse("orders:3,clicks:1"), 6, 3);
        var applied = KafkaManifests.Render(layout).Single(o => (string?)o["kind"] == "Kafka")["spec"]!["kafka"]!["config"]!.AsObject();

        var modest = BrokerConfigBaselines.Presets(layout)[BrokerConfigBaselines.Modest];

        // What the Overseer writes back (BrokerConfigValue.Parse) is what was applied, key for key and type for type.
        var written = new JsonObject(modest.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)BrokerConfigValue.Parse(p.Value))));
        Assert.Equal(ManifestTests.Canonical([applied]), ManifestTests.Canonical([written]));
        Assert.Equal(brokers == 1 ? "1" : "2", modest["min.insync.replicas"]);
        Assert.Equal("1000", modest["log.flush.interval.ms"]);
        Assert.Equal("false", modest["auto.create.topics.enable"]);
    }

    [Fact]
    public void Kafka_defaults_is_the_same_config_with_the_tuning_keys_at_Kafkas_defaults()
    {
        var layout = new KafkaLayout(new K3dSettings(), TopicSpec.Parse("orders:3,clicks:1"), 6, 3);

        var presets = BrokerConfigBaselines.Presets(layout);
        var modest = presets[BrokerConfigBaselines.Modest];
        var defaults = presets[BrokerConfigBaselines.KafkaDefaults];

        Assert.Equal(BrokerConfigBaselines.Names, presets.Keys);
        Assert.Equal(modest.Keys.Order(StringComparer.Ordinal), defaults.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            ["num.io.threads 2→8", "num.network.threads 2→3"],
            modest.Where(p => defaults[p.Key] != p.Value).Select(p => $"{p.Key} {p.Value}→{defaults[p.Key]}").Order(StringComparer.Ordinal));
        Assert.All(BrokerConfigBaselines.KafkaDefaultValues, p => Assert.Equal(p.Value, defaults[p.Key]));
    }
}
