using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace KafkaDemo.ServiceHosting.ControlAccess;

/// <summary>How a guard refuses a request: a status and a ProblemDetails saying why.</summary>
public static class ControlRefusal
{
    public static Task WriteAsync(IProblemDetailsService problems, HttpContext context, int status, string title, string detail)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }

    /// <summary>429 for an address over <see cref="WrongTokenLimit"/>, with <c>Retry-After</c> in seconds.</summary>
    public static Task WriteTooManyWrongTokensAsync(IProblemDetailsService problems, HttpContext context, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(context);
        var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return WriteAsync(problems, context, StatusCodes.Status429TooManyRequests, "Too many wrong control tokens from this address.",
            $"After {WrongTokenLimit.Attempts} wrong tokens within {WrongTokenLimit.Window.TotalMinutes:0} minutes, this address is refused for {seconds} s more, "
            + "whatever token it sends. Requests from this machine are never refused this way.");
    }
}
