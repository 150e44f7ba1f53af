using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace KafkaDemo.Overseer.PageAccess;

public static class PageAccessExtensions
{
    /// <summary>The authentication scheme of the page's session.</summary>
    public const string Scheme = "KafkaDemo.Overseer.Page";

    /// <summary>The session cookie's name. Cookies are per host, not per port: the name is the Overseer's own.</summary>
    public const string CookieName = "KafkaDemo.Overseer.Session";

    /// <summary>The claim that says which token a session was made with (<see cref="PageLoginToken.Fingerprint"/>).</summary>
    public const string TokenClaim = "kafkademo:page-token";

    /// <summary>
    /// Registers the page's login: the token, the session cookie (HttpOnly, SameSite=Strict,
    /// Secure when the request is HTTPS; a browser session, at most a day without use), and the
    /// start-up line with the login link when the token was generated.
    /// </summary>
    public static IHostApplicationBuilder AddPageAccess(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PageOptions>().BindConfiguration(PageOptions.SectionName);
        builder.Services.AddSingleton<PageLoginToken>();
        builder.Services.AddHostedService<PageLoginAnnouncement>();
        builder.Services.AddAuthentication(Scheme).AddCookie(Scheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromDays(1);
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = context =>
            {
                var token = context.HttpContext.RequestServices.GetRequiredService<PageLoginToken>();
                if (context.Principal?.FindFirstValue(TokenClaim) != token.Fingerprint)
                {
                    context.RejectPrincipal();
                }

                return Task.CompletedTask;
            };

            // Nothing challenges through the handler (PageAccessMiddleware answers for itself), but
            // should anything do, it gets a status, not a redirect to a login form there is not.
            o.Events.OnRedirectToLogin = context =>
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            };
            o.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        return builder;
    }

    /// <summary>Guards the page, its Blazor hub and the login; see <see cref="PageAccessMiddleware"/>.</summary>
    public static IApplicationBuilder UsePageAccess(this IApplicationBuilder app) => app.UseMiddleware<PageAccessMiddleware>();

    /// <summary>Maps <c>GET /login?t=&lt;token&gt;</c>: the token for a session cookie, then a redirect to the page.</summary>
    public static IEndpointRouteBuilder MapPageLogin(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/login", PageLogin.HandleAsync)
            .WithMetadata(new PageEndpointMetadata())
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>A session principal for <paramref name="token"/>.</summary>
    internal static ClaimsPrincipal Session(PageLoginToken token) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "overseer-page"), new Claim(TokenClaim, token.Fingerprint)], Scheme));

    internal static Task SignInAsync(HttpContext context, PageLoginToken token) =>
        context.SignInAsync(Scheme, Session(token), new AuthenticationProperties { IsPersistent = false });
}

/// <summary>Marks an endpoint of the page that is not a component (the login): loopback only (unless <see cref="PageOptions.AllowRemote"/>), and it may not be framed.</summary>
public sealed class PageEndpointMetadata;
