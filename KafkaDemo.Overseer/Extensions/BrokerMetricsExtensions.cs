using KafkaDemo.Overseer.BrokerMetrics;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Extensions;

public static class BrokerMetricsExtensions
{
    /// <summary>
    /// The brokers' JMX figures (idle ratios, request queue, produce p99, under-replicated
    /// partitions), read through the cluster's pod proxy for the page and the agent. Without a
    /// cluster (embedded mode) the reader does nothing.
    /// </summary>
    public static IHostApplicationBuilder AddBrokerMetrics(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<BrokerMetricsOptions>, BrokerMetricsOptionsValidator>();
        services.AddOptions<BrokerMetricsOptions>().BindConfiguration(BrokerMetricsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<BrokerMetricsBoard>();
        services.AddSingleton<BrokerMetricsReader>();
        services.AddHostedService(sp => sp.GetRequiredService<BrokerMetricsReader>());
        return builder;
    }
}
