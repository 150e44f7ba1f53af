using KafkaDemo.ServiceHosting.ControlAccess;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.PageAccess;

/// <summary>
/// Guards what can change the running demo from a browser: the page (every Razor component
/// endpoint), its Blazor hub (everything under <c>/_blazor</c>: negotiate, the WebSocket or other
/// transports, the disconnect endpoint) and the login. The API, static assets and health checks
/// are left to their own rules.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>Not from loopback: 403, as for the control API, unless <see cref="PageOptions.AllowRemote"/>.
/// A request that names a client it was forwarded for (<c>X-Forwarded-For</c>, <c>Forwarded</c>)
/// is not from loopback, whatever address the proxy connects from.</item>
/// <item>The page and the login may not be framed (<c>Content-Security-Policy: frame-ancestors 'none'</c>).</item>
/// <item>A hub request from another origin: 403. Cookies are per host, not per port, so a page
/// on <c>http://localhost:9999</c> (same site) sends this Overseer's cookie; its <c>Origin</c>
/// (always sent on a WebSocket handshake and on a cross-origin fetch) or <c>Sec-Fetch-Site</c> gives it away.</item>
/// <item>Without the session cookie from <c>/login?t=</c>: the page gets 401 with the login help,
/// the hub 401. So no circuit opens without logging in.</item>
/// </list>
/// </remarks>
public sealed class PageAccessMiddleware(RequestDelegate next, IProblemDetailsService problems, IOptions<PageOptions> options)
{
    /// <summary>Where <c>AddInteractiveServerRenderMode</c> maps the Blazor hub.</summary>
    private static readonly PathString Hub = new("/_blazor");

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var hub = context.Request.Path.StartsWithSegments(Hub, StringComparison.OrdinalIgnoreCase);
        var metadata = context.GetEndpoint()?.Metadata;
        var page = !hub && metadata?.GetMetadata<ComponentTypeMetadata>() is not null;
        var login = !hub && metadata?.GetMetadata<PageEndpointMetadata>() is not null;
        if (!hub && !page && !login)
        {
            await next(context);
            return;
        }

        if (!hub)
        {
            context.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            context.Response.Headers.XFrameOptions = "DENY";
        }

        if (!options.Value.AllowRemote && !Loopback.IsFromThisMachine(context))
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "The Overseer page answers on loopback only.",
                "The page and its live connection change the running demo; they accept requests from this machine only " +
                $"(set {PageOptions.SectionName}:AllowRemote=true to open them, with the login link, to other machines).");
            return;
        }

        if (login)
        {
            await next(context);
            return;
        }

        if (hub && !SameOrigin(context.Request))
        {
            var origin = context.Request.Headers.Origin.ToString();
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "The Overseer's live connection accepts its own page only.",
                $"This request comes from {(origin.Length > 0 ? origin : "another site")}, not from the Overseer's own origin.");
            return;
        }

        var session = await context.AuthenticateAsync(PageAccessExtensions.Scheme);
        if (!session.Succeeded)
        {
            if (page)
            {
                await LoginHelpPage.WriteAsync(context, StatusCodes.Status401Unauthorized, wrongToken: false);
            }
            else
            {
                await RefuseAsync(context, StatusCodes.Status401Unauthorized, "Log in to the Overseer page first.",
                    "Open the Overseer's login link (/login?t=<control token>); the AppHost prints it, and the Aspire dashboard's link to the Overseer is it.");
            }

            return;
        }

        context.User = session.Principal;
        await next(context);
    }

    /// <summary>Whether a request comes from the Overseer's own origin, as far as the browser says.</summary>
    private static bool SameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            return string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);
        }

        // No Origin: a same-origin GET from a browser, or a client that is not a browser (it still
        // needs the session). A browser that says where the request comes from is believed.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        return site.Length == 0 || site is "same-origin" or "none";
    }

    private Task RefuseAsync(HttpContext context, int status, string title, string detail) =>
        ControlRefusal.WriteAsync(problems, context, status, title, detail);
}
