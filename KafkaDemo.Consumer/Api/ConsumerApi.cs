using KafkaDemo.Consumer.Stats;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.ServiceHosting.Endpoints;

namespace KafkaDemo.Consumer.Api;

/// <summary>The consumer's HTTP API. Invalid input gets 400 with ProblemDetails.</summary>
public static class ConsumerApi
{
    public static IEndpointRouteBuilder MapConsumerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Consumer");
        api.MapGet("/stats", (ConsumerMetrics metrics) => TypedResults.Ok(metrics.Snapshot()))
            .WithSummary("Counts, integrity failures, sequence anomalies and end-to-end latency.");
        api.MapGet("/histograms", (long? after, ConsumerMetrics metrics) => IntervalsEndpoint.Handle(
                after,
                metrics.InstanceId,
                (SeriesNames.Latency, metrics.Latency),
                (SeriesNames.LatencyFromActualSend, metrics.LatencyFromActualSend)))
            .WithSummary("Encoded one-second latency intervals that ended after ?after=<unix seconds>, for exact merging.");
        return app;
    }
}
