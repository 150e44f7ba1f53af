using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Limits;
using KafkaDemo.Producer.Load;
using KafkaDemo.Producer.Sending;
using KafkaDemo.Producer.Stats;
using KafkaDemo.ServiceHosting.ControlAccess;
using KafkaDemo.ServiceHosting.Endpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KafkaDemo.Producer.Api;

/// <summary>
/// The producer's HTTP API. Invalid input gets 400 with ProblemDetails; the changes (rate, load)
/// answer only on loopback and, when a control token is configured, only with it (401 otherwise).
/// </summary>
public static class ProducerApi
{
    public static IEndpointRouteBuilder MapProducerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Producer");
        api.MapGet("/stats", (ProducerMetrics metrics) => TypedResults.Ok(metrics.Snapshot()))
            .WithSummary("Counts, rates, publish latency and publish delay.");
        api.MapGet("/rate", (LoadControl control) => TypedResults.Ok(Settings(control)))
            .WithSummary("The target rate and whether load is paused.");
        api.MapGet("/histograms", (long? after, ProducerMetrics metrics) => IntervalsEndpoint.Handle(
                after,
                metrics.InstanceId,
                (SeriesNames.PublishLatency, metrics.PublishLatency),
                (SeriesNames.PublishDelay, metrics.PublishDelay)))
            .WithSummary("Encoded one-second publish latency and publish delay intervals that ended after ?after=<unix seconds>.");
        api.MapPut("/rate", SetRate).RequireControlAccess()
            .WithSummary("Changes the target rate: 0 (unthrottled) or 1 to 5,000,000 messages per second. Loopback only; needs the control token.");
        api.MapPut("/load", SetLoad).RequireControlAccess()
            .WithSummary("Pauses or resumes load. Loopback only; needs the control token.");
        return app;
    }

    internal static Results<Ok<LoadSettings>, ValidationProblem> SetRate(RateChange? change, LoadControl control)
    {
        if (change?.Rate is not { } rate)
        {
            return Invalid("rate", "A JSON body { \"rate\": <messages per second> } is required.");
        }

        if (RateLimit.Problem(rate) is { } error)
        {
            return Invalid("rate", "The rate " + error);
        }

        control.SetRate(rate);
        return TypedResults.Ok(Settings(control));
    }

    internal static Results<Ok<LoadSettings>, ValidationProblem> SetLoad(LoadChange? change, LoadControl control)
    {
        if (change?.Paused is not { } paused)
        {
            return Invalid("paused", "A JSON body { \"paused\": true | false } is required.");
        }

        control.SetPaused(paused);
        return TypedResults.Ok(Settings(control));
    }

    private static LoadSettings Settings(LoadControl control)
    {
        var (rate, paused, _) = control.Current();
        return new LoadSettings(rate, paused, RateLimit.Max);
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
