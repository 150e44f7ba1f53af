using Confluent.Kafka;
using Microsoft.Extensions.Configuration;

namespace KafkaDemo.ServiceDefaults.Kafka;

/// <summary>
/// Reads producer and consumer settings from configuration, in the order Aspire.Confluent.Kafka
/// uses: the shared section, then the section named after the connection, then the connection
/// string, then code. Validates the result with messages that name the keys to set.
/// </summary>
internal static class KafkaSettingsReader
{
    public const string ProducerSection = "Aspire:Confluent:Kafka:Producer";
    public const string ConsumerSection = "Aspire:Confluent:Kafka:Consumer";

    /// <summary>librdkafka statistics interval used when metrics are on and nothing else is configured.</summary>
    public const int DefaultStatisticsIntervalMs = 1000;

    public static KafkaProducerSettings ReadProducer(
        IConfiguration configuration, string connectionName, Action<KafkaProducerSettings>? configure) =>
        Read(configuration, ProducerSection, connectionName, configure);

    public static KafkaConsumerSettings ReadConsumer(
        IConfiguration configuration, string connectionName, Action<KafkaConsumerSettings>? configure)
    {
        var settings = Read(configuration, ConsumerSection, connectionName, configure);
        if (string.IsNullOrWhiteSpace(settings.Config.GroupId))
        {
            throw new InvalidOperationException(
                $"No group id configured. Set {ConsumerSection}:Config:GroupId (or group.id).");
        }

        return settings;
    }

    private static TSettings Read<TSettings>(
        IConfiguration configuration, string sectionPath, string connectionName, Action<TSettings>? configure)
        where TSettings : IKafkaClientSettings, new()
    {
        var settings = new TSettings();
        foreach (var section in Sections(configuration, sectionPath, connectionName))
        {
            section.Bind(settings);
            KafkaConfigurationBinder.Bind(section.GetSection("Config"), settings.ClientConfig);
        }

        if (configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
        {
            settings.ConnectionString = connectionString;
        }

        configure?.Invoke(settings);
        Consolidate(settings.ClientConfig, settings.ConnectionString, settings.DisableMetrics);
        RequireBootstrapServers(settings.ClientConfig, sectionPath, connectionName);
        return settings;
    }

    private static IEnumerable<IConfigurationSection> Sections(IConfiguration configuration, string path, string name)
    {
        var shared = configuration.GetSection(path);
        yield return shared;
        yield return shared.GetSection(name);
    }

    private static void Consolidate(ClientConfig config, string? connectionString, bool disableMetrics)
    {
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            config.BootstrapServers = connectionString;
        }

        if (!disableMetrics && config.Get("statistics.interval.ms") is null)
        {
            config.StatisticsIntervalMs = DefaultStatisticsIntervalMs;
        }
    }

    private static void RequireBootstrapServers(ClientConfig config, string sectionPath, string connectionName)
    {
        if (string.IsNullOrWhiteSpace(config.BootstrapServers))
        {
            throw new InvalidOperationException(
                "No bootstrap servers configured. Set "
                + KafkaConfigurationBinder.Describe(sectionPath, connectionName)
                + ":BootstrapServers.");
        }
    }
}
