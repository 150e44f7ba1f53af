using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Extensions;

/// <summary>
/// The Overseer page opens only through its login link (<c>/login?t=&lt;control token&gt;</c>,
/// KafkaDemo.Overseer/PageAccess). The dashboard's link to the Overseer is that link, and the
/// AppHost prints it at start, as Aspire prints the dashboard's own login link.
/// </summary>
public static partial class OverseerLoginExtensions
{
    /// <summary>What the dashboard shows for the link instead of the URL, which carries the token.</summary>
    public const string LinkText = "Overseer page";

    /// <summary>The page's login link on <paramref name="baseUrl"/> (such as http://localhost:5100).</summary>
    public static string LoginUrl(string baseUrl, string token)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return $"{baseUrl.TrimEnd('/')}/login?t={Uri.EscapeDataString(token)}";
    }

    public static IResourceBuilder<ProjectResource> WithPageLogin(this IResourceBuilder<ProjectResource> overseer, IResourceBuilder<ParameterResource> controlToken)
    {
        ArgumentNullException.ThrowIfNull(overseer);
        ArgumentNullException.ThrowIfNull(controlToken);

        // Aspire 13.6 WithUrls: runs once the endpoints are allocated and may rewrite their URLs.
        overseer.WithUrls(async context =>
        {
            var token = await controlToken.Resource.GetValueAsync(context.CancellationToken) ?? "";
            foreach (var url in context.Urls.Where(u => u.Endpoint?.EndpointName == "http"))
            {
                url.Url = LoginUrl(url.Url, token);
                url.DisplayText = LinkText;
            }
        });

        return overseer.OnResourceEndpointsAllocated(async (resource, e, cancellationToken) =>
        {
            var token = await controlToken.Resource.GetValueAsync(cancellationToken) ?? "";
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KafkaDemo.AppHost");
            LogLoginUrl(logger, LoginUrl(overseer.GetEndpoint("http").Url, token));
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Log in to the Overseer page at {LoginUrl}")]
    private static partial void LogLoginUrl(ILogger logger, string loginUrl);
}
