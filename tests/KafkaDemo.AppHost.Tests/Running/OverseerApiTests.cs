using System.Net;
using System.Net.Http.Json;
using KafkaDemo.Messaging.Contracts;
using Microsoft.AspNetCore.Mvc;

namespace KafkaDemo.AppHost.Tests.Running;

/// <summary>The Overseer's API over HTTP: bad input gets 400 with ProblemDetails; good input takes effect.</summary>
[Collection(SharedRunningApp.Name)]
public sealed class OverseerApiTests(RunningApp app)
{
    public static TheoryData<string, string, string> BadRequests => new()
    {
        { "/api/rate", """{ "rate": -1 }""", "rate" },
        { "/api/rate", """{ "rate": 1e12 }""", "rate" },
        { "/api/rate", """{ "rate": 1e-300 }""", "rate" },
        { "/api/rate", """{ }""", "rate" },
        { "/api/controller", """{ "sloP99Ms": 0 }""", "sloP99Ms" },
        { "/api/controller", """{ "sloP99Ms": -3 }""", "sloP99Ms" },
        { "/api/controller", """{ "sloP99Ms": 1e-300 }""", "sloP99Ms" },
        { "/api/controller", """{ }""", "body" },
        { "/api/load", """{ "paused": null }""", "paused" },
        { "/api/agent", """{ "paused": null }""", "paused" },
        { "/api/agent", """{ }""", "paused" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_gets_400_with_problem_details_naming_the_field(string path, string body, string field)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await app.Overseer.PutAsync(path, content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>(TestContext.Current.CancellationToken);
        Assert.Contains(field, problem!.Errors.Keys);
    }

    [Theory]
    [InlineData("POST", "/api/agent/run", null, "There is no agent in this mode.")]
    [InlineData("PUT", "/api/agent", """{ "paused": true }""", "There is no agent in this mode.")]
    [InlineData("PUT", "/api/cluster/broker-config", """{ "preset": "modest" }""", "The broker config cannot be reset here.")]
    public async Task Without_a_cluster_the_agent_and_broker_config_changes_get_409_with_problem_details(string method, string path, string? body, string title)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        using var response = await app.Overseer.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(TestContext.Current.CancellationToken);
        Assert.Equal(title, problem!.Title);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail), "The problem does not say why.");
    }

    [Theory]
    [InlineData("/api/rate", "not json")]
    [InlineData("/api/controller", """{ "enabled": "maybe" }""")]
    public async Task Malformed_json_gets_400_with_problem_details(string path, string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await app.Overseer.PutAsync(path, content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_valid_rate_is_split_over_the_producers_and_an_slo_change_is_applied()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using (var rate = await app.Overseer.PutAsJsonAsync("/api/rate", new RateChange(1500), cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, rate.StatusCode);
        }

        // The app runs two producers: each takes half of the total.
        foreach (var producer in app.Producers)
        {
            Assert.Equal(750, (await producer.GetFromJsonAsync<LoadSettings>("/api/rate", cancellation))!.Rate);
        }

        // A total that would leave a producer under 1 msg/s is refused, and changes nothing.
        using (var tooLow = await app.Overseer.PutAsJsonAsync("/api/rate", new RateChange(1), cancellation))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooLow.StatusCode);
            var problem = await tooLow.Content.ReadFromJsonAsync<ValidationProblemDetails>(cancellation);
            Assert.Contains("each of the 2 producers", problem!.Errors["rate"][0], StringComparison.Ordinal);
        }

        Assert.Equal(750, (await app.Producer2.GetFromJsonAsync<LoadSettings>("/api/rate", cancellation))!.Rate);

        using (var slo = await app.Overseer.PutAsJsonAsync("/api/controller", new ControllerChange(null, 40), cancellation))
        {
            var controller = await slo.Content.ReadFromJsonAsync<ControllerSummary>(cancellation);
            Assert.Equal(40, controller!.SloP99Ms);
        }

        using var back = await app.Overseer.PutAsJsonAsync("/api/controller", new ControllerChange(null, 25), cancellation);
        using var rateBack = await app.Overseer.PutAsJsonAsync("/api/rate", new RateChange(1000), cancellation);
        Assert.Equal(HttpStatusCode.OK, rateBack.StatusCode);
    }
}
