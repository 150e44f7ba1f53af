using System.Net;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Aspire.Hosting.Testing;
using KafkaDemo.Messaging.Contracts;
using Microsoft.AspNetCore.Mvc;

namespace KafkaDemo.AppHost.Tests.Running;

/// <summary>The control APIs of the running app: the control token, loopback bindings and host names.</summary>
[Collection(SharedRunningApp.Name)]
public sealed class ControlAccessTests(RunningApp app)
{
    public static TheoryData<string, string, string, string> Changes => new()
    {
        { "overseer", "PUT", "/api/rate", """{ "rate": 1234 }""" },
        { "overseer", "PUT", "/api/load", """{ "paused": true }""" },
        { "overseer", "PUT", "/api/controller", """{ "enabled": true, "sloP99Ms": 7 }""" },
        { "producer-1", "PUT", "/api/rate", """{ "rate": 1234 }""" },
        { "producer-2", "PUT", "/api/load", """{ "paused": true }""" },
        { "kafka-embedded", "PUT", "/api/faults/latency", """{ "ms": 50 }""" },
        { "kafka-embedded", "POST", "/api/faults/broker-down", """{ "broker": 1, "seconds": 5 }""" },
        { "kafka-embedded", "DELETE", "/api/faults", "" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task A_change_without_the_right_control_token_gets_401_problem_details_and_changes_nothing(string resource, string method, string path, string body)
    {
        var cancellation = TestContext.Current.CancellationToken;
        var before = await StateAsync();

        foreach (var token in new[] { null, "", "not-the-control-token-0123456789", TestApp.ControlToken + "x", TestApp.ControlToken[..^1] })
        {
            using var client = app.Anonymous(resource);
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body.Length > 0)
            {
                request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            }

            if (token is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
            }

            using var response = await client.SendAsync(request, cancellation);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(cancellation);
            Assert.Equal(401, problem!.Status);
            Assert.Contains("control token", problem.Title, StringComparison.Ordinal);
        }

        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task Reading_needs_no_token()
    {
        var cancellation = TestContext.Current.CancellationToken;
        foreach (var (resource, path) in new[] { ("overseer", "/api/summary"), ("producer-1", "/api/stats"), ("consumer", "/api/stats"), ("kafka-embedded", "/api/cluster") })
        {
            using var client = app.Anonymous(resource);
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), cancellation);
            Assert.True(response.IsSuccessStatusCode, $"GET {path} on {resource} answered {(int)response.StatusCode}.");
        }
    }

    [Fact]
    public async Task Every_service_listens_on_loopback_only_and_answers_only_to_loopback_host_names()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var outward = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(a => a.Address))
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            .ToList();
        Assert.SkipWhen(outward.Count == 0, "This machine has no address besides loopback to try the services on.");

        foreach (var resource in new[] { "overseer", "producer-1", "producer-2", "consumer", "kafka-embedded" })
        {
            var endpoint = app.App.GetEndpoint(resource, "http");
            Assert.Equal("localhost", endpoint.Host);

            // Nothing answers on the machine's other addresses, so the control endpoints cannot be
            // reached from the network.
            foreach (var address in outward)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                var error = await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync(address, endpoint.Port, cancellation));
                Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
            }

            // A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) sends
            // that name as Host: refused. The loopback names pass.
            using var client = app.Anonymous(resource);
            foreach (var (host, expected) in new[] { ("rebind.attacker.example", HttpStatusCode.BadRequest), ("localhost", HttpStatusCode.OK), ("127.0.0.1", HttpStatusCode.OK) })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/alive");
                request.Headers.Host = $"{host}:{endpoint.Port}";
                using var response = await client.SendAsync(request, cancellation);
                Assert.True(expected == response.StatusCode, $"{resource} answered {(int)response.StatusCode} to Host: {host}.");
            }
        }
    }

    /// <summary>What the changes above would have changed.</summary>
    private async Task<string> StateAsync()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var rates = new List<LoadSettings>();
        foreach (var producer in app.Producers)
        {
            rates.Add((await producer.GetFromJsonAsync<LoadSettings>("/api/rate", cancellation))!);
        }

        var controller = (await app.Overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", cancellation))!.Controller;
        var cluster = (await app.EmbeddedKafka.GetFromJsonAsync<ClusterState>("/api/cluster", cancellation))!;
        return string.Join("; ", rates.Select(r => $"{r.Rate}/{r.Paused}"))
            + $"; controller {controller.Enabled} {controller.SloP99Ms}; brokers "
            + string.Join(",", cluster.Brokers.Select(b => $"{b.Id}:{b.Up}:{b.RttMs}"));
    }
}
