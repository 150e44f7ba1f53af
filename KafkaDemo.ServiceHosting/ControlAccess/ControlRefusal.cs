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
}
