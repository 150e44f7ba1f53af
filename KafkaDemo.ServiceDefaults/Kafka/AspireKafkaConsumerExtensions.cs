using Confluent.Kafka;
using KafkaDemo.ServiceDefaults.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registers <see cref="IConsumer{TKey, TValue}"/> singletons. Method names, overloads and
/// configuration keys match Aspire.Confluent.Kafka, so that package can replace this one by
/// swapping the package reference.
/// </summary>
public static class AspireKafkaConsumerExtensions
{
    /// <summary>Health check name of the unkeyed consumer (as in Aspire.Confluent.Kafka).</summary>
    public const string HealthCheckName = "Aspire.Confluent.Kafka.Consumer";

    public static void AddKafkaConsumer<TKey, TValue>(this IHostApplicationBuilder builder, string connectionName) =>
        Add<TKey, TValue>(builder, connectionName, null, null, serviceKey: null);

    public static void AddKafkaConsumer<TKey, TValue>(
        this IHostApplicationBuilder builder, string connectionName, Action<KafkaConsumerSettings>? configureSettings) =>
        Add<TKey, TValue>(builder, connectionName, configureSettings, null, serviceKey: null);

    public static void AddKafkaConsumer<TKey, TValue>(
        this IHostApplicationBuilder builder, string connectionName, Action<ConsumerBuilder<TKey, TValue>>? configureBuilder) =>
        Add(builder, connectionName, null, Wrap(configureBuilder), serviceKey: null);

    public static void AddKafkaConsumer<TKey, TValue>(
        this IHostApplicationBuilder builder, string connectionName, Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder) =>
        Add(builder, connectionName, null, configureBuilder, serviceKey: null);

    public static void AddKafkaConsumer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<KafkaConsumerSettings>? configureSettings,
        Action<ConsumerBuilder<TKey, TValue>>? configureBuilder) =>
        Add(builder, connectionName, configureSettings, Wrap(configureBuilder), serviceKey: null);

    public static void AddKafkaConsumer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<KafkaConsumerSettings>? configureSettings,
        Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder) =>
        Add(builder, connectionName, configureSettings, configureBuilder, serviceKey: null);

    public static void AddKeyedKafkaConsumer<TKey, TValue>(this IHostApplicationBuilder builder, string name) =>
        Add<TKey, TValue>(builder, name, null, null, serviceKey: name);

    public static void AddKeyedKafkaConsumer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string name,
        Action<KafkaConsumerSettings>? configureSettings,
        Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder = null) =>
        Add(builder, name, configureSettings, configureBuilder, serviceKey: name);

    private static Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? Wrap<TKey, TValue>(
        Action<ConsumerBuilder<TKey, TValue>>? configure) =>
        configure is null ? null : (_, b) => configure(b);

    private static void Add<TKey, TValue>(
        IHostApplicationBuilder builder,
        string connectionName,
        Action<KafkaConsumerSettings>? configureSettings,
        Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder,
        string? serviceKey)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);

        var settings = KafkaSettingsReader.ReadConsumer(builder.Configuration, connectionName, configureSettings);

        IConsumer<TKey, TValue> Create(IServiceProvider sp)
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaLogBridge.Category);
            var consumerBuilder = new ConsumerBuilder<TKey, TValue>(settings.Config);
            configureBuilder?.Invoke(sp, consumerBuilder);
            KafkaClientRegistration.TrySet(() => consumerBuilder.SetLogHandler((_, m) => KafkaLogBridge.Log(logger, m)));
            KafkaClientRegistration.TrySet(() => consumerBuilder.SetErrorHandler((_, e) => KafkaLogBridge.LogError(logger, e)));
            if (!settings.DisableMetrics)
            {
                var listener = sp.GetRequiredService<KafkaStatisticsListener>();
                KafkaClientRegistration.TrySet(() => consumerBuilder.SetStatisticsHandler((_, json) => listener.Post(json)));
            }

            return KafkaClientRegistration.Build(consumerBuilder.Build, "consumer", KafkaSettingsReader.ConsumerSection, connectionName);
        }

        KafkaClientRegistration.Register(
            builder,
            serviceKey,
            settings.Config,
            settings.DisableMetrics,
            settings.DisableHealthChecks ? null : serviceKey is null ? HealthCheckName : $"{HealthCheckName}_{connectionName}",
            Create);
    }
}
