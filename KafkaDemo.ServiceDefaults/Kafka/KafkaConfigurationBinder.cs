using System.Reflection;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;

namespace KafkaDemo.ServiceDefaults.Kafka;

/// <summary>
/// Binds a <c>Config</c> configuration section onto a Confluent client config. A key that names a
/// property of the config type (<c>LingerMs</c>, <c>Acks</c>) is bound like Aspire.Confluent.Kafka
/// does; any other key is passed to librdkafka as it is (<c>linger.ms</c>, <c>retries</c>,
/// <c>debug</c>), so every librdkafka setting can come from configuration.
/// </summary>
internal static class KafkaConfigurationBinder
{
    public static void Bind(IConfigurationSection section, ClientConfig config)
    {
        var properties = config.GetType()
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .Select(p => p.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        section.Bind(config);
        foreach (var child in section.GetChildren())
        {
            if (child.Value is not null && !properties.Contains(child.Key))
            {
                config.Set(child.Key, child.Value);
            }
        }
    }

    /// <summary>The configuration path a setting may come from, for error messages.</summary>
    public static string Describe(string sectionPath, string connectionName) =>
        $"ConnectionStrings:{connectionName}, {sectionPath}:Config or {sectionPath}:{connectionName}:Config";
}
