using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KafkaDemo.ServiceHosting.ControlAccess;

public static class ControlAccessExtensions
{
    /// <summary>
    /// Registers the control token (validated at start-up; also from <c>--control-token-file</c>),
    /// the loopback-only start-up check for a service without one, the limit on wrong tokens from
    /// other machines (<see cref="WrongTokenLimit"/>), and host filtering to the
    /// loopback names unless <c>AllowedHosts</c> is configured (against DNS rebinding).
    /// </summary>
    public static IHostApplicationBuilder AddControlAccess(this IHostApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddCommandLine(args ?? [], ControlOptions.Switches.ToDictionary());
        builder.Services.AddSingleton<IValidateOptions<ControlOptions>, ControlOptionsValidator>();
        builder.Services.AddOptions<ControlOptions>().BindConfiguration(ControlOptions.SectionName).ValidateOnStart();
        builder.Services.AddHostedService<LoopbackBinding>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WrongTokenLimit>();
        if (string.IsNullOrEmpty(builder.Configuration["AllowedHosts"]))
        {
            builder.Configuration["AllowedHosts"] = Loopback.AllowedHosts;
        }

        return builder;
    }

    /// <summary>Guards the endpoints marked with <see cref="RequireControlAccess{TBuilder}"/>.</summary>
    public static IApplicationBuilder UseControlAccess(this IApplicationBuilder app) => app.UseMiddleware<ControlAccessMiddleware>();

    /// <summary>Marks endpoints that change the running demo: loopback only, and the control token when one is configured.</summary>
    public static TBuilder RequireControlAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ControlEndpointMetadata());
}
