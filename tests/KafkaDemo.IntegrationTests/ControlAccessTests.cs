using System.Net;
using System.Net.Http.Json;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;
using Microsoft.AspNetCore.Mvc;

namespace KafkaDemo.IntegrationTests;

/// <summary>A service run on its own (here the embedded Kafka, whose fault endpoints change things): the control token and where it may listen.</summary>
public sealed class ControlAccessTests : IDisposable
{
    private const string Token = "standalone-control-token-0123456789";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("kafkademo-control-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ServiceProcess EmbeddedKafka(IReadOnlyDictionary<string, string> environment, string listen = "127.0.0.1", params string[] arguments) =>
        ServiceProcess.Start(
            "KafkaDemo.EmbeddedKafka",
            [.. arguments, "--EmbeddedKafka:Port=0", "--EmbeddedKafka:Brokers=1", "--EmbeddedKafka:ReplicationFactor=1", "--EmbeddedKafka:RetentionSeconds=0"],
            new Dictionary<string, string>(environment) { ["Logging__LogLevel__Default"] = "Warning" },
            listen);

    private static Task<HttpResponseMessage> AddLatencyAsync(ServiceProcess service, string? token, string? host = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/api/faults/latency") { Content = JsonContent.Create(new LatencyFault(5)) };
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        return service.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Without_a_token_it_runs_on_loopback_and_takes_changes_from_this_machine()
    {
        using var service = EmbeddedKafka(new Dictionary<string, string>());
        await service.WaitHealthyAsync(Deadline);

        using var response = await AddLatencyAsync(service, token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Without_a_token_it_refuses_to_listen_beyond_loopback_naming_the_setting()
    {
        using var service = EmbeddedKafka(new Dictionary<string, string>(), listen: "0.0.0.0");

        Assert.Equal(1, await service.WaitForExitAsync(Deadline));
        Assert.Contains("Control:Token", service.Output, StringComparison.Ordinal);
        Assert.Contains("0.0.0.0", service.Output, StringComparison.Ordinal);
    }

    public static TheoryData<string> TokenSources => ["environment", "file", "switch"];

    [Theory]
    [MemberData(nameof(TokenSources))]
    public async Task With_a_token_from_the_environment_a_file_or_a_switch_a_change_needs_it(string source)
    {
        var environment = new Dictionary<string, string>();
        string[] arguments = [];
        switch (source)
        {
            case "environment":
                environment["Control__Token"] = Token;
                break;
            case "file":
                var file = Path.Combine(_directory, "token");
                await File.WriteAllTextAsync(file, Token + "\n", TestContext.Current.CancellationToken);
                arguments = ["--control-token-file", file];
                break;
            default:
                arguments = ["--control-token", Token];
                break;
        }

        using var service = EmbeddedKafka(environment, "127.0.0.1", arguments);
        await service.WaitHealthyAsync(Deadline);

        foreach (var wrong in new[] { null, "", "standalone-control-token-012345678", "Token " + Token })
        {
            using var refused = await AddLatencyAsync(service, wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        var cluster = await service.Http.GetFromJsonAsync<ClusterState>("/api/cluster", TestContext.Current.CancellationToken);
        Assert.All(cluster!.Brokers, b => Assert.Equal(0, b.RttMs));

        using var accepted = await AddLatencyAsync(service, Token);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task A_token_too_short_stops_it_at_start_naming_the_setting()
    {
        using var service = EmbeddedKafka(new Dictionary<string, string> { ["Control__Token"] = "short" });

        Assert.NotEqual(0, await service.WaitForExitAsync(Deadline));
        Assert.Contains("Control:Token", service.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_token_it_may_listen_beyond_loopback_but_changes_still_come_only_from_this_machine()
    {
        var outward = OutwardAddress.Find();
        Assert.SkipWhen(outward is null, "This machine has no address besides loopback to send a request from.");
        using var service = EmbeddedKafka(new Dictionary<string, string> { ["Control__Token"] = Token }, listen: "0.0.0.0");
        await service.WaitHealthyAsync(Deadline);

        // From this machine's outward address, with the right token and a loopback Host name: refused.
        using var client = new HttpClient { BaseAddress = new Uri($"http://{outward}:{service.Port}") };
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/faults/latency") { Content = JsonContent.Create(new LatencyFault(5)) };
        request.Headers.Host = $"localhost:{service.Port}";
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {Token}");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(TestContext.Current.CancellationToken);
        Assert.Contains("loopback", problem!.Title, StringComparison.Ordinal);

        using var fromHere = await AddLatencyAsync(service, Token);
        Assert.Equal(HttpStatusCode.OK, fromHere.StatusCode);
    }

    [Fact]
    public async Task Another_machine_that_sends_too_many_wrong_tokens_is_refused_for_a_while_and_this_machine_is_not()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var service = EmbeddedKafka(new Dictionary<string, string> { ["Control__Token"] = Token, ["Control__AllowRemote"] = "true" });
        await service.WaitHealthyAsync(Deadline);

        // A request a proxy relays is another machine's (Loopback.IsFromThisMachine), counted by the proxy's address.
        Task<HttpResponseMessage> Relayed(string token)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, "/api/faults/latency") { Content = JsonContent.Create(new LatencyFault(5)) };
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");
            return service.Http.SendAsync(request, cancel);
        }

        using (var right = await Relayed(Token))
        {
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }

        for (var i = 0; i < 10; i++)
        {
            using var wrong = await Relayed("not-the-token-" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // Now even the right token is refused: a guess that came up right would tell it nothing.
        using (var limited = await Relayed(Token))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            var retryAfter = limited.Headers.RetryAfter?.Delta;
            Assert.True(retryAfter is { } wait && wait > TimeSpan.Zero && wait <= TimeSpan.FromMinutes(5), $"Retry-After was {retryAfter}.");
            var problem = await limited.Content.ReadFromJsonAsync<ProblemDetails>(cancel);
            Assert.Equal(429, problem!.Status);
            Assert.Contains("wrong control tokens", problem.Title, StringComparison.Ordinal);
        }

        Assert.Contains("sent 10 wrong control tokens", service.Output, StringComparison.Ordinal);

        // This machine's own requests are never counted or refused.
        using var fromHere = await AddLatencyAsync(service, Token);
        Assert.Equal(HttpStatusCode.OK, fromHere.StatusCode);
    }
}
