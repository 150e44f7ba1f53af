using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests;

/// <summary>Builds the real AppHost for a test, on free ports and with a known secret and control token.</summary>
internal static class TestApp
{
    public const string Secret = "apphost-test-secret-0123456789abcdef";

    /// <summary>The control-token parameter the tests start the app with.</summary>
    public const string ControlToken = "apphost-test-control-token-0123456789";

    /// <summary>The Overseer page's login link, as the AppHost prints it and the dashboard links it: the page opens only through it.</summary>
    public static Uri LoginUrl(Uri overseer) => new(overseer, "/login?t=" + ControlToken);

    /// <summary>The app in embedded mode, its brokers on free ports.</summary>
    public static Task<IDistributedApplicationTestingBuilder> CreateAsync(params string[] extra) =>
        CreateInModeAsync("embedded", [$"--KafkaDemo:Embedded:Port={FreePorts.Block(3)}", .. extra]);

    /// <summary>The app in <paramref name="mode"/>, its services on free ports.</summary>
    public static async Task<IDistributedApplicationTestingBuilder> CreateInModeAsync(string mode, params string[] extra)
    {
        var httpPorts = FreePorts.Block(3);
        string[] args =
        [
            $"--KafkaDemo:Mode={mode}",
            $"--KafkaDemo:Ports:Overseer={httpPorts}",
            $"--KafkaDemo:Ports:Producer={httpPorts + 1}",
            $"--KafkaDemo:Ports:Consumer={httpPorts + 2}",
            $"--Parameters:hmac-secret={Secret}",
            $"--Parameters:control-token={ControlToken}",
            .. extra,
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.KafkaDemo_AppHost>(
            args,
            (options, _) => options.DisableDashboard = true,
            TestContext.Current.CancellationToken);

        // With no dashboard nothing receives telemetry, yet the services would still export to
        // the default OTLP endpoint, and a service stopping (a restart) would wait out the
        // exporter's retries, longer than the orchestrator waits for it to stop. No endpoint, no
        // exporter (see ServiceDefaults).
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            builder.CreateResourceBuilder(project).WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");
        }

        return builder;
    }
}
