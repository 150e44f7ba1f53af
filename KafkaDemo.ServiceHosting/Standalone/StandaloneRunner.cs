using System.Text.Json;
using KafkaDemo.ServiceHosting.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.ServiceHosting.Standalone;

/// <summary>
/// Runs a service once, without the AppHost or an HTTP server, for benchmarks and scripts: build a
/// plain host, wait until the work is done (or Ctrl+C), print one JSON summary line on standard
/// output, exit. Logs go to standard error so that standard output holds only the summary.
/// </summary>
public static class StandaloneRunner
{
    /// <summary>The switch that takes the secret itself (still accepted; the environment or a file is the documented way).</summary>
    public const string SecretSwitch = "--secret";

    /// <summary>The switches every standalone run accepts for the secret: the value (shows in <c>ps</c>) or a file.</summary>
    public static IReadOnlyDictionary<string, string> SecretSwitches { get; } = new Dictionary<string, string>
    {
        [SecretSwitch] = $"{MessagingOptions.SectionName}:HmacSecret",
        ["--secret-file"] = $"{MessagingOptions.SectionName}:HmacSecretFile",
    };

    /// <param name="args">Command-line arguments.</param>
    /// <param name="switches">Short switches and the configuration keys they set.</param>
    /// <param name="defaults">Defaults that override appsettings.json but yield to the environment and the command line.</param>
    /// <param name="configure">Registers the service.</param>
    /// <param name="finished">Completes when the work is done.</param>
    /// <param name="summarize">Produces the summary and whether the run succeeded.</param>
    /// <returns>The process exit code: 0 on success, 1 otherwise.</returns>
    public static async Task<int> RunAsync<TSummary>(
        string[] args,
        IReadOnlyDictionary<string, string> switches,
        IReadOnlyDictionary<string, string?> defaults,
        Action<HostApplicationBuilder> configure,
        Func<IServiceProvider, Task> finished,
        Func<IServiceProvider, (TSummary Summary, bool Success)> summarize)
    {
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(finished);
        ArgumentNullException.ThrowIfNull(summarize);

        if (args.Any(a => a == SecretSwitch || a.StartsWith(SecretSwitch + "=", StringComparison.Ordinal)))
        {
            await Console.Error.WriteLineAsync(
                $"warning: {SecretSwitch} puts the HMAC secret on the command line, where every user of this machine can read it (ps). "
                + "Set Messaging__HmacSecret in the environment, or give a file with --secret-file.");
        }

        var builder = Host.CreateApplicationBuilder(args);
        var afterFiles = builder.Configuration.Sources.ToList().FindLastIndex(s => s is JsonConfigurationSource) + 1;
        builder.Configuration.Sources.Insert(afterFiles, new MemoryConfigurationSource { InitialData = defaults });
        builder.Configuration.AddCommandLine(args, switches.ToDictionary());
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        configure(builder);

        using var host = builder.Build();
        await host.StartAsync();
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        await Task.WhenAny(finished(host.Services), Task.Delay(Timeout.Infinite, stopping));

        var (summary, success) = summarize(host.Services);
        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(summary, JsonSerializerOptions.Web));
        await Console.Out.FlushAsync();
        await host.StopAsync();
        return success ? 0 : 1;
    }
}
