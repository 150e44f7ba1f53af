using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace KafkaDemo.ServiceHosting.ControlAccess;

/// <summary>Marks an endpoint that changes something: it answers only on loopback (unless <c>Control:AllowRemote</c>), and only with the control token when one is configured.</summary>
public sealed class ControlEndpointMetadata;

/// <summary>
/// Guards the endpoints marked with <see cref="ControlEndpointMetadata"/>, before their body is
/// read: a request from another machine, or relayed by a proxy (<see cref="Loopback.IsFromThisMachine"/>), gets 403 unless
/// <c>Control:AllowRemote</c> opts in; a request without the right token (when one is configured), as
/// <c>Authorization: Bearer &lt;token&gt;</c> or in <see cref="ControlTokenCheck.Header"/>, gets 401;
/// both as ProblemDetails. Another machine that sent too many wrong tokens gets 429 for a while
/// (<see cref="WrongTokenLimit"/>).
/// </summary>
public sealed class ControlAccessMiddleware(
    RequestDelegate next,
    IOptions<ControlOptions> options,
    IProblemDetailsService problems,
    WrongTokenLimit wrongTokens)
{
    private readonly byte[]? _token = options.Value.ResolvedToken() is { } token ? Encoding.UTF8.GetBytes(token) : null;
    private readonly bool _allowRemote = options.Value.AllowRemote;

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetEndpoint()?.Metadata.GetMetadata<ControlEndpointMetadata>() is null)
        {
            await next(context);
            return;
        }

        if (!_allowRemote && !Loopback.IsFromThisMachine(context))
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "Control endpoints answer on loopback only.",
                "This endpoint changes the running demo; it accepts requests from this machine only, not relayed by a proxy "
                + "(X-Forwarded-For, Forwarded). Control:AllowRemote=true (with a control token) accepts others with the token.");
            return;
        }

        if (_token is not null && await wrongTokens.RefuseIfLimitedAsync(context, problems))
        {
            return;
        }

        if (_token is not null && !Authorized(context.Request.Headers))
        {
            wrongTokens.RecordWrong(context);
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"kafkademo\"";
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "The control token is missing or wrong.",
                "Send it as 'Authorization: Bearer <token>' (or in " + ControlTokenCheck.Header + "). Under the AppHost it is the control-token parameter; standalone, "
                + "the service's Control:Token (Control__Token, or a file given with --control-token-file).");
            return;
        }

        await next(context);
    }

    private bool Authorized(IHeaderDictionary headers)
    {
        if (headers.TryGetValue(ControlTokenCheck.Header, out var given))
        {
            return ControlTokenCheck.Matches(given.ToString().Trim(), _token!);
        }

        const string Scheme = "Bearer ";
        var header = headers.Authorization.ToString();
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return ControlTokenCheck.Matches(header[Scheme.Length..].Trim(), _token!);
    }

    private Task RefuseAsync(HttpContext context, int status, string title, string detail) =>
        ControlRefusal.WriteAsync(problems, context, status, title, detail);
}
