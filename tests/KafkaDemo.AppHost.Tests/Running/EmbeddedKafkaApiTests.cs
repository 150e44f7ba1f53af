using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace KafkaDemo.AppHost.Tests.Running;

/// <summary>The embedded Kafka's fault API over HTTP: a fault outside the shared limits gets 400 naming the field and changes nothing.</summary>
[Collection(SharedRunningApp.Name)]
public sealed class EmbeddedKafkaApiTests(RunningApp app)
{
    public static TheoryData<string, string, string, string> BadFaults => new()
    {
        { "PUT", "/api/faults/latency", """{ "ms": 10001 }""", "ms" },
        { "PUT", "/api/faults/latency", """{ "ms": -1 }""", "ms" },
        { "PUT", "/api/faults/latency", """{ }""", "ms" },
        { "PUT", "/api/faults/latency", """{ "ms": 10, "broker": 4 }""", "broker" },
        { "POST", "/api/faults/broker-down", """{ "broker": 1, "seconds": 0 }""", "seconds" },
        { "POST", "/api/faults/broker-down", """{ "broker": 1, "seconds": 3601 }""", "seconds" },
        { "POST", "/api/faults/broker-down", """{ "seconds": 5 }""", "broker" },
        { "POST", "/api/faults/broker-down", """{ "broker": 0, "seconds": 5 }""", "broker" },
    };

    [Theory]
    [MemberData(nameof(BadFaults))]
    public async Task A_fault_outside_the_limits_gets_400_naming_the_field_and_changes_nothing(string method, string path, string body, string field)
    {
        var cancellation = TestContext.Current.CancellationToken;
        var before = await app.EmbeddedKafka.GetStringAsync("/api/cluster", cancellation);
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        using var response = await app.EmbeddedKafka.SendAsync(request, cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>(cancellation);
        Assert.Contains(field, problem!.Errors.Keys);
        Assert.Equal(before, await app.EmbeddedKafka.GetStringAsync("/api/cluster", cancellation));
    }
}
