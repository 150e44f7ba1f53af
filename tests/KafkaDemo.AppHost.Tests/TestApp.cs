using Aspire.Hosting;
using Aspire.Hosting.Testing;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests;

/// <summary>Builds the real AppHost for a test, on free ports and with a known secret and control token.</summary>
internal static class TestApp
{
    public const string Secret = "apphost-test-secret-0123456789abcdef";

    /// <summary>The control-token parameter the tests start the app with.</summary>
    public const string ControlToken = "apphost-test-control-token-0123456789";

    public static async Task<IDistributedApplicationTestingBuilder> CreateAsync(params string[] extra)
    {
        var kafkaPort = FreePorts.Block(3);
        var httpPorts = FreePorts.Block(3);
        string[] args =
        [
            "--KafkaDemo:Mode=embedded",
            $"--KafkaDemo:Embedded:Port={kafkaPort}",
            $"--KafkaDemo:Ports:Overseer={httpPorts}",
            $"--KafkaDemo:Ports:Producer={httpPorts + 1}",
            $"--KafkaDemo:Ports:Consumer={httpPorts + 2}",
            $"--Parameters:hmac-secret={Secret}",
            $"--Parameters:control-token={ControlToken}",
            .. extra,
        ];
        return await DistributedApplicationTestingBuilder.CreateAsync<Projects.KafkaDemo_AppHost>(
            args,
            (options, _) => options.DisableDashboard = true,
            TestContext.Current.CancellationToken);
    }
}
