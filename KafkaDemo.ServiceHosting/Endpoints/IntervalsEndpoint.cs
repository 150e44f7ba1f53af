using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KafkaDemo.ServiceHosting.Endpoints;

/// <summary>The <c>GET /api/histograms</c> handler the producer and the consumer share.</summary>
public static class IntervalsEndpoint
{
    public static Results<Ok<IntervalSeries>, ValidationProblem> Handle(
        long? after, string instance, params (string Name, LatencyWindows Windows)[] series)
    {
        if (after is < 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["after"] = ["'after' is a Unix time in seconds and cannot be negative."],
            });
        }

        var since = after ?? 0;
        return TypedResults.Ok(new IntervalSeries(
            instance,
            "us",
            LatencyHistograms.EncodingName,
            series.ToDictionary(s => s.Name, s => s.Windows.IntervalsAfter(since))));
    }
}
