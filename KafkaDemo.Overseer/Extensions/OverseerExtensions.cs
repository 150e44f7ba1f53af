using System.Text.Json.Serialization;
using KafkaDemo.Overseer.Aggregation;
using KafkaDemo.Overseer.Control;
using KafkaDemo.Overseer.Discovery;
using KafkaDemo.Overseer.Fleet;
using KafkaDemo.Overseer.Options;
using KafkaDemo.Overseer.Report;
using KafkaDemo.Overseer.Timeline;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Radzen;

namespace KafkaDemo.Overseer.Extensions;

public static class OverseerExtensions
{
    /// <summary>Registers the fleet monitor, the aggregation, the timeline, the controller, the API's services and the UI.</summary>
    public static IHostApplicationBuilder AddOverseer(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<OverseerOptions>, OverseerOptionsValidator>();
        services.AddOptions<OverseerOptions>().BindConfiguration(OverseerOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ControllerSettings>, ControllerSettingsValidator>();
        services.AddOptions<ControllerSettings>().BindConfiguration(ControllerSettings.SectionName).ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        // No retries and no shared circuit breaker: the next poll is the retry, and one dead
        // instance must not cut the Overseer off from the others.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the documented way to opt a client out of the defaults.
        services.AddHttpClient<FleetClient>().RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        services.AddSingleton<DiscoveredInstances>();
        services.AddSingleton<FleetMembers>();
        services.AddHostedService<EndpointSliceWatcher>();
        services.AddSingleton<FleetState>();
        services.AddSingleton<FleetTotals>();
        services.AddHostedService(sp => sp.GetRequiredService<FleetTotals>()); // created at start, so it sees every poll
        services.AddSingleton<IntervalMerger>();
        services.AddSingleton(new RecentIntervals(OverseerReport.SummarySeconds));
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<OverseerOptions>>().Value;
            return new RunTimeline(o.ExportIntervalSeconds, o.WarmupSeconds);
        });
        services.AddSingleton<EmbeddedFaultEvents>();
        services.AddSingleton<FleetCommands>();
        services.AddSingleton<ControllerMetrics>();
        services.AddSingleton<IProducerFleet>(sp => sp.GetRequiredService<FleetCommands>());
        services.AddSingleton<ControlLoop>();

        // Every merged second goes to these, in this order (the agent's feedback adds itself).
        services.AddSingleton<IMergedSecondListener>(sp => sp.GetRequiredService<RecentIntervals>());
        services.AddSingleton<IMergedSecondListener>(sp => sp.GetRequiredService<RunTimeline>());
        services.AddSingleton<IMergedSecondListener>(sp => sp.GetRequiredService<ControlLoop>());
        services.AddSingleton<OverseerReport>();
        services.AddHostedService<FleetMonitor>();
        builder.AddOverseerAgent();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddRadzenComponents();
        services.AddRadzenCookieThemeService(o =>
        {
            o.Name = "KafkaDemoTheme";
            o.Duration = TimeSpan.FromDays(365);
        });
        return builder;
    }
}
