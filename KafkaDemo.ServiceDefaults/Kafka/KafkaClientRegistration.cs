using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace KafkaDemo.ServiceDefaults.Kafka;

/// <summary>What producer and consumer registration share: metrics plumbing, health checks, error wrapping.</summary>
internal static class KafkaClientRegistration
{
    /// <summary>How long the health check's metadata request may take.</summary>
    public static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Registers a client singleton (keyed or not) with its metrics and health check.</summary>
    /// <param name="healthCheckName">The health check's name, or null for none.</param>
    public static void Register<TClient>(
        IHostApplicationBuilder builder,
        string? serviceKey,
        ClientConfig config,
        bool disableMetrics,
        string? healthCheckName,
        Func<IServiceProvider, TClient> create)
        where TClient : class
    {
        if (serviceKey is null)
        {
            builder.Services.AddSingleton(create);
        }
        else
        {
            builder.Services.AddKeyedSingleton(serviceKey, (sp, _) => create(sp));
        }

        if (!disableMetrics)
        {
            AddMetrics(builder);
        }

        if (healthCheckName is not null)
        {
            AddHealthCheck(builder, healthCheckName, config);
        }
    }

    /// <summary>Installs a handler unless the caller's own builder callback already installed one.</summary>
    public static void TrySet(Action set)
    {
        try
        {
            set();
        }
        catch (InvalidOperationException)
        {
            // The caller's configureBuilder already installed its own handler; keep it.
        }
    }

    private static void AddMetrics(IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<KafkaClientMetrics>();
        if (!builder.Services.Any(d => d.ServiceType == typeof(KafkaStatisticsListener)))
        {
            builder.Services.AddSingleton<KafkaStatisticsListener>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<KafkaStatisticsListener>());
        }

        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(KafkaClientMetrics.MeterName));
    }

    private static void AddHealthCheck(IHostApplicationBuilder builder, string name, ClientConfig config)
    {
        if (builder.Services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, name) && d.ServiceType == typeof(KafkaHealthCheck)))
        {
            return;
        }

        var snapshot = new ClientConfig(config.ToDictionary(kv => kv.Key, kv => kv.Value));
        builder.Services.AddKeyedSingleton(name, (_, _) => new KafkaHealthCheck(snapshot, HealthCheckTimeout));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            name,
            sp => sp.GetRequiredKeyedService<KafkaHealthCheck>(name),
            failureStatus: default,
            tags: default));
    }

    /// <summary>Builds a client, turning librdkafka's configuration errors into a message that says where to look.</summary>
    public static T Build<T>(Func<T> build, string role, string sectionPath, string connectionName)
    {
        try
        {
            return build();
        }
        catch (Exception ex) when (ex is ArgumentException or KafkaException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"The Kafka {role} could not be created: {ex.Message} "
                + $"Check {KafkaConfigurationBinder.Describe(sectionPath, connectionName)}.",
                ex);
        }
    }
}
