using Confluent.Kafka;
using KafkaDemo.ServiceDefaults.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registers <see cref="IProducer{TKey, TValue}"/> singletons. Method names, overloads and
/// configuration keys match Aspire.Confluent.Kafka, so that package can replace this one by
/// swapping the package reference.
/// </summary>
public static class AspireKafkaProducerExtensions
{
    /// <summary>Health check name of the unkeyed producer (as in Aspire.Confluent.Kafka).</summary>
    public const string HealthCheckName = "Aspire.Confluent.Kafka.Producer";

    public static void AddKafkaProducer<TKey, TValue>(this IHostApplicationBuilder builder, string connectionName) =>
        Add<TKey, TValue>(builder, connectionName, null, null, serviceKey: null);

    public static void AddKafkaProducer<TKey, TValue>(
        this IHostApplicationBuilder builder, string connectionName, Action<KafkaProducerSettings>? configureSettings) =>
        Add<TKey, TValue>(builder, connectionName, configureSettings, null, serviceKey: null);

    public static void AddKafkaProducer<TKey, TValue>(
        this IHostApplicationBuilder builder, string connectionName, Action<ProducerBuilder<TKey, TValue>>? configureBuilder) =>
        Add(builder, connectionName, null, Wrap(configureBuilder), serviceKey: null);

    public static void AddKafkaProducer<TKey, TValue>(
        this IHostApplicationBuilder builder, string connectionName, Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? configureBuilder) =>
        Add(builder, connectionName, null, configureBuilder, serviceKey: null);

    public static void AddKafkaProducer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<KafkaProducerSettings>? configureSettings,
        Action<ProducerBuilder<TKey, TValue>>? configureBuilder) =>
        Add(builder, connectionName, configureSettings, Wrap(configureBuilder), serviceKey: null);

    public static void AddKafkaProducer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<KafkaProducerSettings>? configureSettings,
        Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? configureBuilder) =>
        Add(builder, connectionName, configureSettings, configureBuilder, serviceKey: null);

    public static void AddKeyedKafkaProducer<TKey, TValue>(this IHostApplicationBuilder builder, string name) =>
        Add<TKey, TValue>(builder, name, null, null, serviceKey: name);

    public static void AddKeyedKafkaProducer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string name,
        Action<KafkaProducerSettings>? configureSettings,
        Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? configureBuilder = null) =>
        Add(builder, name, configureSettings, configureBuilder, serviceKey: name);

    private static Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? Wrap<TKey, TValue>(
        Action<ProducerBuilder<TKey, TValue>>? configure) =>
        configure is null ? null : (_, b) => configure(b);

    private static void Add<TKey, TValue>(
        IHostApplicationBuilder builder,
        string connectionName,
        Action<KafkaProducerSettings>? configureSettings,
        Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? configureBuilder,
        string? serviceKey)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);

        var settings = KafkaSettingsReader.ReadProducer(builder.Configuration, connectionName, configureSettings);

        IProducer<TKey, TValue> Create(IServiceProvider sp)
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaLogBridge.Category);
            var producerBuilder = new ProducerBuilder<TKey, TValue>(settings.Config);
            configureBuilder?.Invoke(sp, producerBuilder);
            KafkaClientRegistration.TrySet(() => producerBuilder.SetLogHandler((_, m) => KafkaLogBridge.Log(logger, m)));
            KafkaClientRegistration.TrySet(() => producerBuilder.SetErrorHandler((_, e) => KafkaLogBridge.LogError(logger, e)));
            if (!settings.DisableMetrics)
            {
                var listener = sp.GetRequiredService<KafkaStatisticsListener>();
                KafkaClientRegistration.TrySet(() => producerBuilder.SetStatisticsHandler((_, json) => listener.Post(json)));
            }

            return KafkaClientRegistration.Build(producerBuilder.Build, "producer", KafkaSettingsReader.ProducerSection, connectionName);
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
