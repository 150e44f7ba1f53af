using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace KafkaDemo.ServiceHosting.ControlAccess;

/// <summary>Marks an endpoint that changes something: it answers only on loopback, and only with the control token when one is configured.</summary>
public sealed class ControlEndpointMetadata;

/// <summary>
/// Guards the endpoints marked with <see cref="ControlEndpointMetadata"/>, before their body is
/// read: a request from another machine gets 403, a request without the right
/// <c>Authorization: Bearer &lt;token&gt;</c> (when a token is configured) gets 401, both as ProblemDetails.
/// </summary>
public sealed class ControlAccessMiddleware(RequestDelegate next, IOptions<ControlOptions> options, IProblemDetailsService problems)
{
    private readonly byte[]? _token = options.Value.ResolvedToken() is { } token ? Encoding.UTF8.GetBytes(token) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetEndpoint()?.Metadata.GetMetadata<ControlEndpointMetadata>() is null)
        {
            await next(context);
            return;
        }

        if (!Loopback.IsLoopback(context.Connection.RemoteIpAddress))
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "Control endpoints answer on loopback only.",
                "This endpoint changes the running demo; it accepts requests from this machine only.");
            return;
        }

        if (_token is not null && !Authorized(context.Request.Headers.Authorization.ToString()))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"kafkademo\"";
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "The control token is missing or wrong.",
                "Send it as 'Authorization: Bearer <token>'. Under the AppHost it is the control-token parameter; standalone, "
                + "the service's Control:Token (Control__Token, or a file given with --control-token-file).");
            return;
        }

        await next(context);
    }

    private bool Authorized(string header)
    {
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return ControlTokenCheck.Matches(header[Scheme.Length..].Trim(), _token!);
    }

    private Task RefuseAsync(HttpContext context, int status, string title, string detail) =>
        ControlRefusal.WriteAsync(problems, context, status, title, detail);
}
