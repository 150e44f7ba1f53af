using System.Globalization;
using System.Text.Json.Nodes;

namespace KafkaDemo.DeploymentContract.Strimzi;

/// <summary>
/// A broker setting of the Kafka resource's <c>spec.kafka.config</c> as text and back. The AppHost
/// writes the settings typed (integers, decimals and booleans as JSON numbers and booleans, as in
/// k3d/kafka/kafka.yaml) and hands the Overseer its presets as text
/// (<c>Overseer:Cluster:Presets:&lt;preset&gt;:&lt;key&gt;</c>); the Overseer types them back the same
/// way, so a preset written into the resource is the manifest's value exactly, not a string that
/// would be a change of its own.
/// </summary>
public static class BrokerConfigValue
{
    /// <summary>The value as JSON: an integer, a decimal (with a '.'), a boolean, or else a string.</summary>
    public static JsonValue Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer) ? JsonValue.Create(integer)
            : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && value.Contains('.', StringComparison.Ordinal) ? JsonValue.Create(real)
            : bool.TryParse(value, out var flag) ? JsonValue.Create(flag)
            : JsonValue.Create(value);
    }

    /// <summary>The text <see cref="Parse"/> reads back to the same value: numbers invariant, booleans lower case, strings as they are.</summary>
    public static string Text(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node is JsonValue v && v.TryGetValue<bool>(out var flag) ? (flag ? "true" : "false")
            : node is JsonValue n && n.TryGetValue<long>(out var integer) ? integer.ToString(CultureInfo.InvariantCulture)
            : node is JsonValue d && d.TryGetValue<double>(out var real) ? real.ToString("R", CultureInfo.InvariantCulture)
            : node is JsonValue s && s.TryGetValue<string>(out var text) ? text
            : node.ToJsonString();
    }
}
