using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KafkaDemo.ServiceHosting.ControlAccess;

/// <summary>
/// A service without a control token may listen on loopback only: once the server has started,
/// any other address stops it with exit code 1 and a message naming the setting.
/// </summary>
public sealed partial class LoopbackBinding(
    IServer server, IHostApplicationLifetime lifetime, IOptions<ControlOptions> options, ILogger<LoopbackBinding> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Check);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Addresses that are not loopback, given the ones the server listens on.</summary>
    public static IReadOnlyList<string> Exposed(IEnumerable<string> addresses) => [.. addresses.Where(a => !Loopback.IsLoopbackUrl(a))];

    private void Check()
    {
        if (options.Value.ResolvedToken() is not null)
        {
            return;
        }

        var exposed = Exposed(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []);
        if (exposed.Count == 0)
        {
            return;
        }

        LogExposed(logger, string.Join(", ", exposed));
        Environment.ExitCode = 1;
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "No control token is set (Control:Token, Control__Token or --control-token-file) and the service listens on {Addresses}, beyond this machine. Set a token, or listen on loopback only (for example --urls http://127.0.0.1:5101). Stopping.")]
    private static partial void LogExposed(ILogger logger, string addresses);
}
