extern alias overseer;

using System.Text.Json;
using KafkaDemo.Messaging.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using overseer::KafkaDemo.Overseer.Api;
using overseer::KafkaDemo.Overseer.Fleet;
using overseer::KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.UnitTests.Overseer;

/// <summary>The Overseer's rate and load changes when a producer does not answer.</summary>
public sealed class FleetCommandTests : IDisposable
{
    private const string P1 = "http://producer-1";
    private const string P2 = "http://producer-2";
    private readonly FleetHarness _fleet = new([P1, P2], ["http://consumer"]);

    public FleetCommandTests()
    {
        var started = _fleet.Time.GetUtcNow();
        _fleet.Instances.Set(P1, FleetHarness.Producer("producer-1", started, 10, 10, 0));
        _fleet.Instances.Set(P2, FleetHarness.Producer("producer-2", started, 10, 10, 0));
        _fleet.Instances.Set("http://consumer", FleetHarness.Consumer("consumer", started, 20));
    }

    public void Dispose() => _fleet.Dispose();

    [Fact]
    public async Task A_rate_change_reaching_every_producer_is_split_and_answered_200()
    {
        await _fleet.PollAsync();

        var result = await OverseerApi.SetRate(new RateChange(3000), _fleet.Commands, _fleet.Report, TestContext.Current.CancellationToken);

        Assert.IsType<Ok<ProducerFleetSummary>>(result.Result);
        Assert.Equal(["""{"rate":1500}""", """{"rate":1500}"""], _fleet.Instances.Puts.Select(p => p.Body));
        Assert.Contains(_fleet.Timeline.RecentEvents(10), e => e.Kind == EventKinds.Manual && e.Message == "Rate set to 3000/s by hand");
    }

    [Fact]
    public async Task A_producer_that_does_not_answer_gives_503_saying_per_producer_what_was_applied_and_an_event()
    {
        await _fleet.PollAsync();
        _fleet.Instances.Hanging[P2] = true;

        var change = OverseerApi.SetRate(new RateChange(3000), _fleet.Commands, _fleet.Report, TestContext.Current.CancellationToken);
        await _fleet.Instances.HangingPutArrived.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        _fleet.Time.Advance(FleetClient.CallTimeout); // producer-2's call runs out of time
        var result = await change.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var problem = Assert.IsType<ProblemHttpResult>(result.Result);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem.StatusCode);
        var outcomes = Outcomes(problem);
        Assert.Equal(
            [("producer-1", true, "rate 1500/s", (string?)null), ("producer-2", false, "rate 1500/s", "no answer within 2 s")],
            outcomes.Select(o => (o.Instance, o.Applied, o.Change, o.Error)));
        Assert.Contains("1 of 2 producers", problem.ProblemDetails.Detail, StringComparison.Ordinal);
        var partial = Assert.Single(_fleet.Timeline.RecentEvents(10), e => e.Kind == EventKinds.Fleet);
        Assert.Equal("Rate change to 3000/s only partly applied: applied to producer-1; not applied to producer-2 (no answer within 2 s)", partial.Message);
    }

    [Fact]
    public async Task A_producer_that_refuses_the_connection_gives_503_for_pause_too()
    {
        await _fleet.PollAsync();
        _fleet.Instances.Down[P1] = true;

        var result = await OverseerApi.SetLoad(new LoadChange(true), _fleet.Commands, _fleet.Report, TestContext.Current.CancellationToken);

        var problem = Assert.IsType<ProblemHttpResult>(result.Result);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem.StatusCode);
        var outcomes = Outcomes(problem);
        Assert.False(outcomes.Single(o => o.Instance == "producer-1").Applied);
        Assert.True(outcomes.Single(o => o.Instance == "producer-2").Applied);
        Assert.Contains(_fleet.Timeline.RecentEvents(10), e => e.Message.StartsWith("Pause only partly applied", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_no_producer_reporting_the_answer_is_503()
    {
        _fleet.Instances.Down[P1] = true;
        _fleet.Instances.Down[P2] = true;
        await _fleet.PollAsync();

        var result = await OverseerApi.SetRate(new RateChange(3000), _fleet.Commands, _fleet.Report, TestContext.Current.CancellationToken);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, Assert.IsType<ProblemHttpResult>(result.Result).StatusCode);
    }

    /// <summary>The per-producer report, as a client reads it from the JSON answer.</summary>
    private static List<(string Instance, bool Applied, string Change, string? Error)> Outcomes(ProblemHttpResult problem)
    {
        var json = JsonSerializer.SerializeToElement(problem.ProblemDetails.Extensions["producers"], JsonSerializerOptions.Web);
        return [.. json.EnumerateArray().Select(o => (
            o.GetProperty("instance").GetString()!,
            o.GetProperty("applied").GetBoolean(),
            o.GetProperty("change").GetString()!,
            o.GetProperty("error").GetString()))];
    }
}
