using System.Globalization;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Overseer.Control;
using KafkaDemo.Overseer.Fleet;
using KafkaDemo.Overseer.Report;
using KafkaDemo.ServiceHosting.ControlAccess;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KafkaDemo.Overseer.Api;

/// <summary>
/// The Overseer's HTTP API. Invalid input gets 400 with ProblemDetails; a change that could not
/// reach every producer gets 503 with ProblemDetails saying, per producer, what was applied. The
/// changes answer only on loopback and, when a control token is configured, only with it (401).
/// </summary>
public static class OverseerApi
{
    public static IEndpointRouteBuilder MapOverseerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Overseer");
        api.MapGet("/summary", (OverseerReport report) => TypedResults.Ok(report.Summary()))
            .WithSummary("Mode, Kafka, producers, consumers, controller and agent at a glance.");
        api.MapGet("/run", (bool? download, OverseerReport report, TimeProvider time, HttpContext context) =>
        {
            if (download == true)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"kafkademo-run-{time.GetUtcNow():yyyyMMdd-HHmmss}.json");
                context.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
            }

            return TypedResults.Json(report.Run());
        }).WithSummary("The whole run, shaped like an OpenMessaging Benchmark result (see docs/run-export.md).");
        api.MapPut("/controller", Configure).RequireControlAccess().WithSummary("Turns the controller on or off and sets the p99 SLO. Loopback only; needs the control token.");
        api.MapPut("/load", SetLoad).RequireControlAccess().WithSummary("Pauses or resumes every producer. Loopback only; needs the control token.");
        api.MapPut("/rate", SetRate).RequireControlAccess().WithSummary("Sets the producers' total target rate. Loopback only; needs the control token.");
        return app;
    }

    internal static Results<Ok<ControllerSummary>, ValidationProblem> Configure(
        ControllerChange? change, ControlLoop control, OverseerReport report, TimeProvider time)
    {
        if (change is null || (change.Enabled is null && change.SloP99Ms is null))
        {
            return Invalid("body", "Give { \"enabled\": true | false } and/or { \"sloP99Ms\": <milliseconds> }.");
        }

        if (change.SloP99Ms is not null && ControlInputs.SloProblem(change.SloP99Ms) is { } sloProblem)
        {
            return Invalid("sloP99Ms", sloProblem);
        }

        control.Configure(change.Enabled, change.SloP99Ms, time.GetUtcNow());
        return TypedResults.Ok(report.Summary().Controller);
    }

    internal static async Task<Results<Ok<ProducerFleetSummary>, ValidationProblem, ProblemHttpResult>> SetLoad(
        LoadChange? change, FleetCommands commands, OverseerReport report, CancellationToken cancellationToken)
    {
        if (change?.Paused is not { } paused)
        {
            return Invalid("paused", "A JSON body { \"paused\": true | false } is required.");
        }

        return await Apply(() => commands.SetPausedAsync(paused, cancellationToken), report);
    }

    internal static async Task<Results<Ok<ProducerFleetSummary>, ValidationProblem, ProblemHttpResult>> SetRate(
        RateChange? change, FleetCommands commands, OverseerReport report, CancellationToken cancellationToken)
    {
        if (ControlInputs.RateProblem(change?.Rate, commands.LiveProducerCount) is { } problem)
        {
            return Invalid("rate", "A JSON body { \"rate\": <messages per second> } is required. " + problem);
        }

        var rate = change!.Rate!.Value;
        return await Apply(
            () => commands.SetTotalRateAsync(rate, string.Create(CultureInfo.InvariantCulture, $"Rate set to {rate:F0}/s by hand"), cancellationToken),
            report);
    }

    private static async Task<Results<Ok<ProducerFleetSummary>, ValidationProblem, ProblemHttpResult>> Apply(Func<Task<FleetChange>> change, OverseerReport report)
    {
        FleetChange result;
        try
        {
            result = await change();
        }
        catch (InvalidOperationException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The producers could not be changed.");
        }
        catch (ArgumentOutOfRangeException ex)
        {
            // The fleet changed size between validation and the change: the split no longer works.
            return Invalid("rate", ex.Message);
        }

        if (result.AllApplied)
        {
            return TypedResults.Ok(report.Summary().Producer);
        }

        return TypedResults.Problem(
            $"The change reached {result.Producers.Count(p => p.Applied)} of {result.Producers.Count} producers: {result.Describe()}.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Not every producer could be changed.",
            extensions: new Dictionary<string, object?> { ["producers"] = result.Producers });
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
