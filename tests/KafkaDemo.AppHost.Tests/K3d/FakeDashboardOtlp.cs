using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Google.Protobuf;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>The dashboard's two OTLP endpoints: gRPC (ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL) and HTTP/protobuf (ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL).</summary>
public enum OtlpTransport
{
    Grpc,
    HttpProtobuf,
}

/// <summary>An export the endpoint accepted: the signal, the path it came on, and what it carried.</summary>
internal sealed record OtlpExport(string Signal, string Path, IReadOnlyList<OtlpResourceBatch> Resources);

/// <summary>A request the endpoint refused: its path, the status code, and the reason the authentication gave.</summary>
internal sealed record OtlpRefusal(string Path, int StatusCode, string Reason);

/// <summary>
/// Stands in for the Aspire dashboard's OTLP endpoint, in API-key mode, at Aspire 13.6 (microsoft/aspire
/// main @ 59d405ff, 13.6.0-dev; no 13.6 tag exists, see /work/notes/aspire-lifecycle.md):
/// <list type="bullet">
/// <item>gRPC on an HTTP/2-only endpoint (cleartext: prior knowledge), HTTP/protobuf on HTTP/1.1 and HTTP/2
/// (src/Aspire.Dashboard/DashboardWebApplication.cs ConfigureKestrelEndpoints: EndpointInfo.TryAddEndpoint "OtlpGrpc"
/// with HttpProtocols.Http2, "OtlpHttp" with Http1AndHttp2);</item>
/// <item>the services TraceService, MetricsService and LogsService, method Export (Otlp/Grpc/OtlpGrpc*Service.cs),
/// or POST /v1/traces, /v1/metrics, /v1/logs with application/x-protobuf, else 415 (Otlp/Http/OtlpHttpEndpointsBuilder.cs
/// MapHttpOtlpApi, GetKnownContentType; JSON is not needed by the .NET SDK and is refused here: stricter);</item>
/// <item>each of them behind the policy OtlpPolicy (OtlpAuthorization.PolicyName; DashboardWebApplication
/// ConfigureAuthentication: AuthorizationPolicyBuilder(OtlpComposite).RequireClaim(OtlpClaim, "True")), whose scheme,
/// OtlpCompositeAuthenticationHandler.HandleAuthenticateAsync, returns the first failure of its schemes and otherwise
/// the claim; in API-key mode that scheme is OtlpApiKeyAuthenticationHandler.HandleAuthenticateAsync: the header
/// x-otlp-api-key missing ("API key from 'x-otlp-api-key' header is missing."), present more than once
/// ("Multiple 'x-otlp-api-key' headers in request."), or neither the primary nor the secondary key (compared in fixed
/// time on UTF-8 bytes: src/Shared/CompareHelpers.cs CompareKey) ("Incoming API key from 'x-otlp-api-key' header doesn't
/// match configured API key.") fails. A failure is challenged by AuthenticationHandler's default HandleChallengeAsync:
/// HTTP 401 with no body ([SkipStatusCodePages]) and, for gRPC, no grpc-status (the authorization middleware answers
/// before the gRPC service runs), which gRPC clients read as UNAUTHENTICATED.</item>
/// </list>
/// The composite's ConnectionType scheme (the request must arrive on an OTLP endpoint) always holds here, and there
/// is one key (no secondary). An accepted gRPC export is answered as Grpc.AspNetCore answers an empty
/// Export*ServiceResponse (200, application/grpc, one uncompressed empty message, trailer grpc-status 0); an HTTP one
/// as OtlpResult.Response does (200, application/x-protobuf, the empty message). Each accepted request's protobuf is
/// decoded (<see cref="OtlpExportReader"/>); one that does not decode is refused (400) and recorded as unexpected,
/// like any request to another path or with a gRPC-compressed message (the .NET SDK sends none).
/// </summary>
internal sealed class FakeDashboardOtlp : IAsyncDisposable
{
    /// <summary>OtlpApiKeyAuthenticationHandler.ApiKeyHeaderName.</summary>
    public const string ApiKeyHeader = "x-otlp-api-key";

    private const string Scheme = "OtlpApiKey";
    private const string Policy = "OtlpPolicy";
    private const string ClaimName = "OtlpClaim";
    private const string RefusalItem = "otlp-refusal";

    private readonly WebApplication _app;

    private FakeDashboardOtlp(WebApplication app, OtlpTransport transport, Uri endpoint, Journal journal)
    {
        _app = app;
        Transport = transport;
        Endpoint = endpoint;
        _journal = journal;
    }

    private readonly Journal _journal;

    public OtlpTransport Transport { get; }

    /// <summary>http://127.0.0.1:port, as Aspire gives the dashboard's OTLP endpoint.</summary>
    public Uri Endpoint { get; }

    public IReadOnlyCollection<OtlpExport> Accepted => _journal.Accepted;

    public IReadOnlyCollection<OtlpRefusal> Refused => _journal.Refused;

    /// <summary>Requests no dashboard endpoint would accept for reasons other than the key (a wrong path, content type or message).</summary>
    public IReadOnlyCollection<string> Unexpected => _journal.Unexpected;

    /// <summary>
    /// What Aspire 13.6 gives a process for this endpoint (OtlpEndpointResolver.ResolveOtlpEndpoint's configuration keys)
    /// and the key the AppHost hands out (AppHost:OtlpApiKey), as AppHost arguments.
    /// The launch profile's gRPC endpoint (Properties/launchSettings.json), which Aspire.Hosting.Testing applies, is
    /// emptied for HTTP, since gRPC is preferred when both are set.
    /// </summary>
    public IReadOnlyList<string> AppHostArguments(string? apiKey) =>
    [
        .. Transport == OtlpTransport.Grpc
            ? [$"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL={Endpoint.GetLeftPart(UriPartial.Authority)}"]
            : new[] { "--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=", $"--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL={Endpoint.GetLeftPart(UriPartial.Authority)}" },
        .. apiKey is null ? Array.Empty<string>() : [$"--AppHost:OtlpApiKey={apiKey}"],
    ];

    /// <summary>Listens on a free loopback port and accepts exports that carry <paramref name="apiKey"/>.</summary>
    public static async Task<FakeDashboardOtlp> StartAsync(OtlpTransport transport, string apiKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        var journal = new Journal();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            listen.Protocols = transport == OtlpTransport.Grpc ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2));
        builder.Services.AddSingleton(journal);
        builder.Services.AddAuthentication()
            .AddScheme<ApiKeyOptions, ApiKeyCheck>(Scheme, o => o.ApiKey = Encoding.UTF8.GetBytes(apiKey));
        builder.Services.AddAuthorization(o => o.AddPolicy(Policy, new AuthorizationPolicyBuilder(Scheme).RequireClaim(ClaimName, bool.TrueString).Build()));

        var app = builder.Build();
        // Each refusal with the status the response actually got.
        app.Use(async (context, next) =>
        {
            await next(context);
            if (context.Items[RefusalItem] is string reason)
            {
                journal.Refused.Enqueue(new OtlpRefusal(context.Request.Path, context.Response.StatusCode, reason));
            }
        });
        app.UseRouting();
        app.UseAuthorization();
        foreach (var signal in new[] { OtlpExportReader.Traces, OtlpExportReader.Metrics, OtlpExportReader.Logs })
        {
            if (transport == OtlpTransport.Grpc)
            {
                app.MapPost($"/opentelemetry.proto.collector.{GrpcPackage(signal)}.v1.{GrpcService(signal)}/Export", context => GrpcExportAsync(context, signal, journal)).RequireAuthorization(Policy);
            }
            else
            {
                app.MapPost($"/v1/{signal}", context => HttpExportAsync(context, signal, journal)).RequireAuthorization(Policy);
            }
        }

        app.MapFallback(context =>
        {
            journal.Unexpected.Enqueue($"{context.Request.Method} {context.Request.Path}");
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });

        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeDashboardOtlp(app, transport, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)), journal);
    }

    private static string GrpcPackage(string signal) => signal switch
    {
        OtlpExportReader.Traces => "trace",
        _ => signal,
    };

    private static string GrpcService(string signal) => signal switch
    {
        OtlpExportReader.Traces => "TraceService",
        OtlpExportReader.Metrics => "MetricsService",
        _ => "LogsService",
    };

    /// <summary>One gRPC unary call: a length-prefixed message (1 byte compressed flag, 4 bytes big-endian length), answered with an empty one and grpc-status 0.</summary>
    private static async Task GrpcExportAsync(HttpContext context, string signal, Journal journal)
    {
        var body = await ReadBodyAsync(context);
        string? problem = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true ? $"content type '{context.Request.ContentType}'"
            : body.Length < 5 ? $"a gRPC body of {body.Length} bytes"
            : body[0] != 0 ? "a compressed gRPC message"
            : BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1, 4)) != body.Length - 5 ? "a gRPC body that is not one message"
            : null;
        if (problem is null && Decode(signal, body[5..], context, journal))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[5], context.RequestAborted);
            context.Response.AppendTrailer("grpc-status", "0");
            return;
        }

        if (problem is not null)
        {
            journal.Unexpected.Enqueue($"{context.Request.Path}: {problem}");
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
        }
    }

    private static async Task HttpExportAsync(HttpContext context, string signal, Journal journal)
    {
        if (context.Request.ContentType is not { } type || !type.StartsWith("application/x-protobuf", StringComparison.OrdinalIgnoreCase))
        {
            journal.Unexpected.Enqueue($"{context.Request.Path}: content type '{context.Request.ContentType}'");
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        if (Decode(signal, await ReadBodyAsync(context), context, journal))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/x-protobuf";
        }
    }

    private static bool Decode(string signal, byte[] message, HttpContext context, Journal journal)
    {
        try
        {
            journal.Accepted.Enqueue(new OtlpExport(signal, context.Request.Path, OtlpExportReader.Read(signal, message)));
            return true;
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidDataException)
        {
            journal.Unexpected.Enqueue($"{context.Request.Path}: {ex.Message}");
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return false;
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    internal sealed class Journal
    {
        public ConcurrentQueue<OtlpExport> Accepted { get; } = new();

        public ConcurrentQueue<OtlpRefusal> Refused { get; } = new();

        public ConcurrentQueue<string> Unexpected { get; } = new();
    }

    internal sealed class ApiKeyOptions : AuthenticationSchemeOptions
    {
        public byte[] ApiKey { get; set; } = [];
    }

    /// <summary>OtlpApiKeyAuthenticationHandler and OtlpCompositeAuthenticationHandler in one: a failure as the first, the claim as the second.</summary>
    internal sealed class ApiKeyCheck(IOptionsMonitor<ApiKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<ApiKeyOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var reason = !Request.Headers.TryGetValue(ApiKeyHeader, out var key) ? $"API key from '{ApiKeyHeader}' header is missing."
                : key.Count != 1 ? $"Multiple '{ApiKeyHeader}' headers in request."
                : !CryptographicOperations.FixedTimeEquals(Options.ApiKey, Encoding.UTF8.GetBytes(key.ToString())) ? $"Incoming API key from '{ApiKeyHeader}' header doesn't match configured API key."
                : null;
            if (reason is not null)
            {
                // The challenge that follows answers (AuthenticationHandler.HandleChallengeAsync: 401).
                Context.Items[RefusalItem] = reason;
                return Task.FromResult(AuthenticateResult.Fail(reason));
            }

            var identity = new ClaimsIdentity([new Claim(ClaimName, bool.TrueString)], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
    }
}
