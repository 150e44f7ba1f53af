using KafkaDemo.ServiceHosting.ControlAccess;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace KafkaDemo.Overseer.PageAccess;

/// <summary>
/// When the page's token was generated (no control token configured), prints the login link once
/// the server listens: the only way to it. With a configured token the AppHost prints the link.
/// </summary>
public sealed partial class PageLoginAnnouncement(
    PageLoginToken token, IServer server, IHostApplicationLifetime lifetime, ILogger<PageLoginAnnouncement> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (token.Generated)
        {
            lifetime.ApplicationStarted.Register(Announce);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Announce()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(Loopback.IsLoopbackUrl) ?? addresses.FirstOrDefault() ?? "http://localhost";
        LogLoginLink(logger, $"{address.TrimEnd('/')}/login?t={token.Value}");
    }

    // Warning, so that it shows however quiet the logging is set.
    [LoggerMessage(Level = LogLevel.Warning, Message = "No control token is configured (Control:Token), so the Overseer page has one for this run only. Open the page with {LoginUrl}")]
    private static partial void LogLoginLink(ILogger logger, string loginUrl);
}
