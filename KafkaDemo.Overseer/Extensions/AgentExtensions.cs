using KafkaDemo.Overseer.Agent;
using KafkaDemo.Overseer.Aggregation;
using KafkaDemo.Overseer.BrokerMetrics;
using KafkaDemo.Overseer.BrokerPresets;
using KafkaDemo.Overseer.Control;
using KafkaDemo.Overseer.KubernetesApi;
using KafkaDemo.Overseer.StrimziWatch;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Extensions;

public static class AgentExtensions
{
    /// <summary>
    /// The cluster watch (Kafka and KafkaNodePool changes, brokers ready), the max sustainable rate
    /// per configuration, and the vibectl agent's rounds. Without a cluster (embedded mode) the
    /// watch and the agent do nothing.
    /// </summary>
    public static IHostApplicationBuilder AddOverseerAgent(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidator>();
        services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) =>
            {
                // The kubelet's variables for the API server reach the configuration through the
                // default environment variables provider (no prefix).
                options.ApiServerHost ??= configuration["KUBERNETES_SERVICE_HOST"];
                options.ApiServerPort ??= configuration["KUBERNETES_SERVICE_PORT"];
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.SectionName).ValidateOnStart();

        services.AddSingleton<ClusterConnection>();
        services.AddSingleton<KafkaResourceState>();
        builder.AddBrokerMetrics();
        services.AddSingleton<SustainableRateRecord>();
        services.AddSingleton<AgentFeedback>();
        services.AddSingleton<IMergedSecondListener>(sp => sp.GetRequiredService<AgentFeedback>());
        services.AddSingleton(sp => new AgentActivity(() => sp.GetRequiredService<AgentFeedback>().Measure()));
        services.AddSingleton<IClusterChangeListener>(sp => sp.GetRequiredService<SustainableRateRecord>());
        services.AddSingleton<IClusterChangeListener>(sp => sp.GetRequiredService<AgentActivity>());
        services.AddSingleton<IClusterChangeListener, ClusterChangeEvents>();
        services.AddSingleton<IAgentChannel, PodExecChannel>();
        services.AddSingleton<VibectlSetup>();
        services.AddSingleton<BrokerConfigPresets>();
        services.AddSingleton<AgentLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentLoop>());
        services.AddHostedService<KafkaResourceWatcher>();
        return builder;
    }
}
