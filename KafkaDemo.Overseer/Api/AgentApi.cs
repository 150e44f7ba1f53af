using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Overseer.Agent;
using KafkaDemo.Overseer.BrokerPresets;
using KafkaDemo.Overseer.Report;
using KafkaDemo.ServiceHosting.ControlAccess;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KafkaDemo.Overseer.Api;

/// <summary>
/// The agent and the cluster's broker config: read the agent's rounds and output; run a round now,
/// pause or resume it; reset the broker config to a preset. Changes are loopback only and need the
/// control token, like the rest of the Overseer's changes.
/// </summary>
public static class AgentApi
{
    public static IEndpointRouteBuilder MapAgentApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Agent");
        api.MapGet("/agent", (AgentActivity activity, OverseerReport report) => TypedResults.Ok(Document(activity, report)))
            .WithSummary("The agent's state, its rounds (result, reason, changes, and the output of the latest ones, each line with its stream and kind) and the memory the Overseer last wrote.");
        api.MapPost("/agent/run", RunNow).RequireControlAccess().WithSummary("Starts an agent round now (409 if one is running). Loopback only; needs the control token.");
        api.MapPut("/agent", SetPaused).RequireControlAccess().WithSummary("Pauses or resumes the agent's rounds. Loopback only; needs the control token.");
        api.MapPut("/cluster/broker-config", ResetBrokerConfig).RequireControlAccess()
            .WithSummary("Resets the broker config to a preset (modest, kafka-defaults) through the Kafka resource. Loopback only; needs the control token.");
        return app;
    }

    public static AgentDocument Document(AgentActivity activity, OverseerReport report)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(report);
        return new AgentDocument(
            report.Summary().Agent,
            [.. activity.Rounds.Select(Round)],
            activity.LastMemory.Before,
            activity.LastMemory.After);
    }

    private static AgentRoundDocument Round(AgentRound round) => new(
        round.Number,
        round.Trigger,
        round.StartedAt,
        round.EndedAt,
        round.DurationMs,
        round.Result is { } result ? AgentRoundOutcome.Name(result) : null,
        round.Reason,
        round.ExitCode,
        round.Pod,
        [.. round.Changes.Select(c => c.Line)],
        [.. round.Output.Select(l => new AgentLine(l.At, AgentOutputLine.Name(l.Stream), AgentOutputLine.Name(l.Kind), l.Text))],
        round.LinesLeftOut);

    internal static Results<Accepted<AgentSummary>, ProblemHttpResult> RunNow(AgentLoop loop, AgentActivity activity, OverseerReport report)
    {
        if (activity.State == AgentState.None)
        {
            return Conflict("There is no agent in this mode.", activity.Detail);
        }

        return loop.RunNow()
            ? TypedResults.Accepted("/api/agent", report.Summary().Agent)
            : Conflict("An agent round is running or about to; rounds never overlap.", activity.Detail);
    }

    internal static Results<Ok<AgentSummary>, ValidationProblem, ProblemHttpResult> SetPaused(
        AgentChange? change, AgentLoop loop, AgentActivity activity, OverseerReport report)
    {
        if (change?.Paused is not { } paused)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["paused"] = ["A JSON body { \"paused\": true | false } is required."] });
        }

        if (activity.State == AgentState.None)
        {
            return Conflict("There is no agent in this mode.", activity.Detail);
        }

        loop.SetPaused(paused);
        return TypedResults.Ok(report.Summary().Agent);
    }

    internal static async Task<Results<Ok<KafkaSummary>, ValidationProblem, ProblemHttpResult>> ResetBrokerConfig(
        BrokerConfigReset? reset, BrokerConfigPresets presets, OverseerReport report, CancellationToken cancellationToken)
    {
        if (presets.Unavailable is { } why)
        {
            return Conflict("The broker config cannot be reset here.", why);
        }

        if (presets.Problem(reset?.Preset) is { } problem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["preset"] = [problem] });
        }

        try
        {
            await presets.ApplyAsync(reset!.Preset!, cancellationToken);
            return TypedResults.Ok(report.Summary().Kafka);
        }
        catch (Exception ex) when (BrokerConfigPresets.IsClusterFailure(ex, cancellationToken))
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status502BadGateway, title: "The Kafka resource could not be changed.");
        }
    }

    private static ProblemHttpResult Conflict(string title, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: title);
}
