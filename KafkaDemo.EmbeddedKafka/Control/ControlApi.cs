using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Limits;
using KafkaDemo.ServiceHosting.ControlAccess;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KafkaDemo.EmbeddedKafka.Control;

/// <summary>
/// The embedded cluster's control API, used by the AppHost's dashboard commands, the Overseer,
/// tests and scripts. Invalid input gets 400 with ProblemDetails.
/// </summary>
public static class ControlApi
{
    public static IEndpointRouteBuilder MapClusterControl(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Embedded Kafka");
        api.MapGet("/cluster", (FaultInjector faults) => TypedResults.Ok(faults.State()))
            .WithSummary("Bootstrap servers and every broker's state (up, added latency).");
        api.MapPut("/faults/latency", SetLatency).RequireControlAccess().WithSummary("Adds latency to one broker or to all. Loopback only; needs the control token.");
        api.MapPost("/faults/broker-down", TakeDown).RequireControlAccess().WithSummary("Takes a broker down for some seconds. Loopback only; needs the control token.");
        api.MapDelete("/faults", ClearFaults).RequireControlAccess().WithSummary("Clears every fault. Loopback only; needs the control token.");
        return app;
    }

    internal static Results<Ok<ClusterState>, ProblemHttpResult> ClearFaults(FaultInjector faults)
    {
        try
        {
            faults.Clear();
            return TypedResults.Ok(faults.State());
        }
        catch (IOException ex)
        {
            // A broker's fixed port was taken while it was down: it stays down rather than come back elsewhere.
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "A broker could not be brought back up.");
        }
    }

    internal static Results<Ok<ClusterState>, ValidationProblem> SetLatency(LatencyFault? fault, FaultInjector faults)
    {
        var errors = new Dictionary<string, string[]>();
        if (fault?.Ms is not { } ms || !FaultLimits.IsValidLatency(ms))
        {
            errors["ms"] = [$"'ms' is the added latency, from 0 to {FaultLimits.MaxLatencyMs} milliseconds."];
        }

        CheckBroker(fault?.Broker, faults, optional: true, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        faults.SetLatency(fault!.Ms!.Value, fault.Broker);
        return TypedResults.Ok(faults.State());
    }

    internal static Results<Ok<ClusterState>, ValidationProblem> TakeDown(BrokerOutage? outage, FaultInjector faults)
    {
        var errors = new Dictionary<string, string[]>();
        CheckBroker(outage?.Broker, faults, optional: false, errors);
        if (outage?.Seconds is not { } seconds || !FaultLimits.IsValidOutage(seconds))
        {
            errors["seconds"] = [$"'seconds' is how long the broker stays down, from {FaultLimits.MinOutageSeconds} to {FaultLimits.MaxOutageSeconds}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        faults.TakeDown(outage!.Broker!.Value, TimeSpan.FromSeconds(outage.Seconds!.Value));
        return TypedResults.Ok(faults.State());
    }

    private static void CheckBroker(int? broker, FaultInjector faults, bool optional, Dictionary<string, string[]> errors)
    {
        var count = faults.State().Brokers.Count;
        if ((broker is null && !optional) || broker is { } id && (id < 1 || id > count))
        {
            errors["broker"] = [$"'broker' is a broker id from 1 to {count}{(optional ? ", or absent for every broker" : "")}."];
        }
    }
}
