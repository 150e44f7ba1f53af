using System.Net;

namespace KafkaDemo.Overseer.PageAccess;

/// <summary>
/// The plain page a visitor without a session gets: how to get the login link. It never shows a
/// token, not even a wrong one given to <c>/login</c>.
/// </summary>
public static class LoginHelpPage
{
    /// <summary>Writes the page with <paramref name="status"/>; <paramref name="wrongToken"/> says a login link's token was refused.</summary>
    public static Task WriteAsync(HttpContext context, int status, bool wrongToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var here = WebUtility.HtmlEncode($"{request.Scheme}://{request.Host}");
        var why = wrongToken
            ? "<p data-testid=\"login-refused\"><strong>That login link's token is not this Overseer's.</strong> It may be from an earlier run, or another machine.</p>"
            : "";
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>KafkaDemo Overseer: log in</title>
            <style>body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; line-height: 1.5; padding: 0 1rem; } code { background: #eee; padding: 0 0.25rem; }</style>
            </head>
            <body data-testid="login-help">
            <h1>Log in to the Overseer</h1>
            {{why}}
            <p>The Overseer page changes the running demo, so it opens only through its login link, which carries the control token:</p>
            <ul>
            <li>Under the AppHost: open the Overseer from the Aspire dashboard (its link to the Overseer logs you in), or open the link the AppHost prints in its console at start: <code>{{here}}/login?t=&lt;control token&gt;</code>.</li>
            <li>Run on its own: the link the Overseer prints at start, or <code>/login?t=</code> followed by its <code>Control:Token</code>.</li>
            <li>In a Kubernetes cluster (<code>deploy/overseer</code>): <code>{{here}}/login?t=</code> followed by the token in the Secret you created, <code>kubectl -n kafkademo-overseer get secret kafkademo-control -o jsonpath='{.data.token}' | base64 -d</code>.</li>
            </ul>
            <p>The token is the AppHost's <code>control-token</code> parameter (<code>dotnet user-secrets list --project KafkaDemo.AppHost</code>; the dashboard shows it under Parameters). Reading needs no login: <a href="/api/summary">/api/summary</a>, <a href="/api/run">/api/run</a>.</p>
            </body>
            </html>
            """);
    }
}
