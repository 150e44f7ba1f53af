namespace KafkaDemo.Overseer.PageAccess;

/// <summary>
/// <c>GET /login?t=&lt;token&gt;</c>, in the shape of the Aspire dashboard's login link: the right
/// token (compared in constant time) gets a session cookie and a 302 to <c>/</c>, so the token
/// leaves the address bar and the history; anything else gets the help page (401). The token
/// never leaves in a Referer (<c>Referrer-Policy: no-referrer</c>) nor in a cache.
/// </summary>
public static partial class PageLogin
{
    public static async Task HandleAsync(HttpContext context, PageLoginToken token, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(loggers);
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        context.Response.Headers.CacheControl = "no-store";
        var given = context.Request.Query["t"].ToString();
        if (token.Matches(given))
        {
            await PageAccessExtensions.SignInAsync(context, token);
            context.Response.Redirect("/");
            return;
        }

        if (given.Length > 0)
        {
            LogRefused(loggers.CreateLogger(typeof(PageLogin).FullName!), context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        }

        await LoginHelpPage.WriteAsync(context, StatusCodes.Status401Unauthorized, wrongToken: given.Length > 0);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A login to the Overseer page from {Address} was refused: wrong token")]
    private static partial void LogRefused(ILogger logger, string address);
}
