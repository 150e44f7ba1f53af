using System.Text.Json.Nodes;
using KafkaDemo.DeploymentContract.Strimzi;

namespace KafkaDemo.AppHost.Strimzi;

/// <summary>
/// Two baselines to judge the agent by, each a whole <c>spec.kafka.config</c>: <see cref="Modest"/>,
/// the config the cluster starts with (k3d/kafka/kafka.yaml as the AppHost renders it: replication
/// fitted to the brokers, KafkaDemo:K3d:BrokerConfig merged in), and <see cref="KafkaDefaults"/>, that
/// same config with the tuning keys at Apache Kafka's own defaults. The Overseer's <em>Reset broker
/// config</em> makes the Kafka resource's config exactly one of them: keys outside it are removed.
/// </summary>
public static class BrokerConfigBaselines
{
    public const string Modest = "modest";
    public const string KafkaDefaults = "kafka-defaults";

    /// <summary>The tuning keys the cluster starts modest on, at Kafka's defaults.</summary>
    public static IReadOnlyDictionary<string, string> KafkaDefaultValues => KafkaTuningDefaults.Values;

    /// <summary>The whole broker config the AppHost applies for <paramref name="layout"/>, as text (<see cref="BrokerConfigValue"/>).</summary>
    public static IReadOnlyDictionary<string, string> ModestValues(KafkaLayout layout)
    {
        var config = KafkaManifests.Render(layout).Single(o => (string?)o["kind"] == "Kafka")["spec"]!["kafka"]!["config"]!.AsObject();
        foreach (var key in KafkaDefaultValues.Keys.Where(k => !config.ContainsKey(k)))
        {
            throw new InvalidOperationException($"k3d/kafka/kafka.yaml has no {key}.");
        }

        return config.ToDictionary(p => p.Key, p => BrokerConfigValue.Text(p.Value!), StringComparer.Ordinal);
    }

    /// <summary>Both presets, by name, for <paramref name="layout"/>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Presets(KafkaLayout layout)
    {
        var modest = ModestValues(layout);
        var defaults = new Dictionary<string, string>(modest.ToDictionary(), StringComparer.Ordinal);
        foreach (var (key, value) in KafkaDefaultValues)
        {
            defaults[key] = value;
        }

        return new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal) { [Modest] = modest, [KafkaDefaults] = defaults };
    }

    /// <summary>The presets' names.</summary>
    public static IReadOnlyList<string> Names => [Modest, KafkaDefaults];
}
