using System.Text.Json;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.ServiceHosting.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.ServiceHosting.Standalone;

/// <summary>
/// Runs a service once, without the AppHost or an HTTP server, for benchmarks and scripts
/// (<c>--count N</c>): build a plain host, wait until the work is done (or Ctrl+C), print one JSON
/// summary line on standard output, exit. Logs go to standard error so that standard output holds
/// only the summary. The producer and the consumer give only their own parts (<see cref="StandaloneService{TSummary}"/>).
/// </summary>
public static class StandaloneRunner
{
    /// <summary>The switch that asks for a standalone run: how many messages to send or verify.</summary>
    public const string CountSwitch = "--count";

    /// <summary>The switch that takes the secret itself (still accepted; the environment or a file is the documented way).</summary>
    public const string SecretSwitch = "--secret";

    /// <summary>Whether the command line asks for a standalone run.</summary>
    public static bool IsRequested(IEnumerable<string> args) =>
        (args ?? []).Any(a => a == CountSwitch || a.StartsWith(CountSwitch + "=", StringComparison.Ordinal));

    /// <summary>
    /// The short switches of a run: the count, the instance, the bootstrap servers and the secret (its
    /// value, which shows in <c>ps</c>, or a file), then the service's own.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SwitchesOf<TSummary>(StandaloneService<TSummary> service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return new Dictionary<string, string>
        {
            [CountSwitch] = $"{service.Section}:MessageCount",
            ["--instance"] = $"{service.Section}:InstanceId",
            ["--bootstrap-servers"] = $"ConnectionStrings:{service.KafkaConnectionName}",
            [SecretSwitch] = $"{MessagingOptions.SectionName}:HmacSecret",
            ["--secret-file"] = $"{MessagingOptions.SectionName}:HmacSecretFile",
        }.Concat(service.Switches).ToDictionary();
    }

    /// <returns>The process exit code: 0 on success, 1 otherwise.</returns>
    public static async Task<int> RunAsync<TSummary>(string[] args, StandaloneService<TSummary> service)
    {
        ArgumentNullException.ThrowIfNull(service);
        args ??= [];
        var switches = SwitchesOf(service);

        if (args.Any(a => a == SecretSwitch || a.StartsWith(SecretSwitch + "=", StringComparison.Ordinal)))
        {
            await Console.Error.WriteLineAsync(
                $"warning: {SecretSwitch} puts the HMAC secret on the command line, where every user of this machine can read it (ps). "
                + "Set Messaging__HmacSecret in the environment, or give a file with --secret-file.");
        }

        var builder = Host.CreateApplicationBuilder(args);
        var afterFiles = builder.Configuration.Sources.ToList().FindLastIndex(s => s is JsonConfigurationSource) + 1;
        builder.Configuration.Sources.Insert(afterFiles, new MemoryConfigurationSource { InitialData = service.Defaults });
        builder.Configuration.AddCommandLine(args, switches.ToDictionary());
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddEnvelopes();
        service.Register(builder);

        using var host = builder.Build();
        await host.StartAsync();
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        await Task.WhenAny(service.Finished(host.Services), Task.Delay(Timeout.Infinite, stopping));

        // Include the last, partial second in the summary's figures.
        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        service.Measurement(host.Services).CloseInterval(now.ToUnixTimeSeconds() + 1, UnixMicros.From(now));
        var (summary, success) = service.Summarize(host.Services);
        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(summary, JsonSerializerOptions.Web));
        await Console.Out.FlushAsync();
        await host.StopAsync();
        return success ? 0 : 1;
    }
}
