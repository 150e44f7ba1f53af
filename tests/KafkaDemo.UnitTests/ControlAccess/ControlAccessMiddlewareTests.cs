using System.Net;
using KafkaDemo.ServiceHosting.ControlAccess;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KafkaDemo.UnitTests.ControlAccess;

/// <summary>
/// The guard of the endpoints that change things, on one request each: from loopback, from another
/// machine, relayed by a proxy (as the Kubernetes API server's pod proxy relays the Overseer's PUTs),
/// with and without <c>Control:AllowRemote</c> and the token.
/// </summary>
public sealed class ControlAccessMiddlewareTests
{
    private const string Token = "control-token-for-the-tests-0123";
    private static readonly IPAddress PodIP = IPAddress.Parse("10.42.0.17");

    private static async Task<int> SendAsync(IPAddress from, bool allowRemote, Action<IHeaderDictionary> headers)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Connection.RemoteIpAddress = from;
        context.Request.Method = "PUT";
        context.Response.Body = new MemoryStream();
        headers(context.Request.Headers);
        context.SetEndpoint(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(new ControlEndpointMetadata()), "PUT /api/rate"));
        var reached = false;
        var middleware = new ControlAccessMiddleware(
            _ => { reached = true; return Task.CompletedTask; },
            Options.Create(new ControlOptions { Token = Token, AllowRemote = allowRemote }),
            services.GetRequiredService<IProblemDetailsService>(),
            new WrongTokenLimit(TimeProvider.System, NullLogger<WrongTokenLimit>.Instance));

        await middleware.InvokeAsync(context);

        Assert.Equal(reached, context.Response.StatusCode == StatusCodes.Status200OK);
        return context.Response.StatusCode;
    }

    private static void Bearer(IHeaderDictionary headers) => headers.Authorization = $"Bearer {Token}";

    [Fact]
    public async Task From_loopback_with_the_token_it_is_accepted()
    {
        Assert.Equal(StatusCodes.Status200OK, await SendAsync(IPAddress.Loopback, allowRemote: false, Bearer));
    }

    [Theory]
    [InlineData("X-Forwarded-For", "172.18.0.1")]
    [InlineData("Forwarded", "for=172.18.0.1")]
    public async Task From_loopback_relayed_by_a_proxy_it_is_refused_without_the_opt_in(string header, string value)
    {
        Assert.Equal(StatusCodes.Status403Forbidden, await SendAsync(IPAddress.Loopback, allowRemote: false, h =>
        {
            Bearer(h);
            h[header] = value;
        }));
    }

    [Fact]
    public async Task From_another_machine_it_is_refused_without_the_opt_in_even_with_the_token()
    {
        Assert.Equal(StatusCodes.Status403Forbidden, await SendAsync(PodIP, allowRemote: false, Bearer));
    }

    [Fact]
    public async Task Through_the_pod_proxy_with_the_opt_in_the_token_in_its_own_header_is_accepted()
    {
        // The API server removes Authorization (its own credential) and adds X-Forwarded-For.
        Assert.Equal(StatusCodes.Status200OK, await SendAsync(PodIP, allowRemote: true, h =>
        {
            h[ControlTokenCheck.Header] = Token;
            h["X-Forwarded-For"] = "172.18.0.1";
        }));
    }

    [Fact]
    public async Task From_another_pod_with_the_opt_in_the_bearer_token_is_accepted()
    {
        Assert.Equal(StatusCodes.Status200OK, await SendAsync(PodIP, allowRemote: true, Bearer));
    }

    [Theory]
    [InlineData("")]
    [InlineData("wrong-token-wrong-token-wrong")]
    public async Task With_the_opt_in_a_missing_or_wrong_token_is_refused(string given)
    {
        Assert.Equal(StatusCodes.Status401Unauthorized, await SendAsync(PodIP, allowRemote: true, h =>
        {
            if (given.Length > 0)
            {
                h[ControlTokenCheck.Header] = given;
            }

            h["X-Forwarded-For"] = "172.18.0.1";
        }));
    }

    [Fact]
    public void The_opt_in_without_a_token_fails_validation_naming_the_key()
    {
        var result = new ControlOptionsValidator().Validate(null, new ControlOptions { AllowRemote = true });

        Assert.True(result.Failed);
        Assert.Contains("Control:AllowRemote", result.FailureMessage, StringComparison.Ordinal);
    }
}
