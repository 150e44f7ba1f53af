using KafkaDemo.Consumer.Stats;
using KafkaDemo.Messaging.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KafkaDemo.Consumer.Api;

/// <summary>The consumer's HTTP API. Invalid input gets 400 with ProblemDetails.</summary>
public static class ConsumerApi
{
    public static IEndpointRouteBuilder MapConsumerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Consumer");
        api.MapGet("/stats", (ConsumerMetrics metrics) => TypedResults.Ok(metrics.Snapshot()))
            .WithSummary("Counts, integrity failures, sequence anomalies and end-to-end latency.");
        api.MapGet("/histograms", Intervals)
            .WithSummary("Encoded one-second latency intervals that ended after ?after=<unix seconds>, for exact merging.");
        return app;
    }

    internal static Results<Ok<LatencyIntervals>, ValidationProblem> Intervals(long? after, ConsumerMetrics metrics)
    {
        if (after is < 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["after"] = ["'after' is a Unix time in seconds and cannot be negative."],
            });
        }

        var since = after ?? 0;
        return TypedResults.Ok(new LatencyIntervals(
            "us",
            Messaging.Measurement.LatencyHistograms.EncodingName,
            metrics.Latency.IntervalsAfter(since),
            metrics.LatencyFromActualSend.IntervalsAfter(since)));
    }
}
