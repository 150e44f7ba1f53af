using KafkaDemo.EmbeddedKafka.Cluster;
using KafkaDemo.EmbeddedKafka.Control;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KafkaDemo.EmbeddedKafka.Extensions;

public static class EmbeddedKafkaExtensions
{
    /// <summary>Registers the embedded cluster, its validated options and its health check.</summary>
    public static IHostApplicationBuilder AddEmbeddedKafka(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<EmbeddedKafkaOptions>, EmbeddedKafkaOptionsValidator>();
        builder.Services.AddOptions<EmbeddedKafkaOptions>()
            .BindConfiguration(EmbeddedKafkaOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<EmbeddedKafkaService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddedKafkaService>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<LogRetention>();
        builder.Services.AddHostedService<NativeMemoryTrim>();
        builder.Services.AddSingleton<FaultInjector>();
        builder.Services.AddHealthChecks().AddCheck<EmbeddedKafkaService>("embedded-kafka");
        return builder;
    }

    /// <summary>
    /// Runs the app. If the cluster cannot start (port taken, librdkafka missing, bad options), the
    /// host has already logged why: exit with code 1 instead of an unhandled-exception abort.
    /// </summary>
    public static async Task<int> RunUntilStartFailsAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            await app.RunAsync();
            return Environment.ExitCode; // 0, unless a start-up check stopped it (LoopbackBinding)
        }
        catch (Exception ex) when (ex is IOException or DllNotFoundException or OptionsValidationException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"The embedded Kafka could not start: {ex.Message}");
            return 1;
        }
    }
}
