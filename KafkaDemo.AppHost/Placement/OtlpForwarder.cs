using System.Net;
using System.Net.Sockets;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Lifecycle;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Placement;

/// <summary>Where the pods send their telemetry: the forwarder, as pods name it, and whether an API key header goes with it.</summary>
/// <param name="Endpoint">http://host.k3d.internal:port.</param>
/// <param name="Protocol">The OTLP protocol of the dashboard's endpoint: grpc or http/protobuf.</param>
/// <param name="ApiKeyHeader">"x-otlp-api-key=..." for the Secret, or null when the dashboard takes none.</param>
/// <param name="QuickExport">Export every second, as Aspire has its projects do in Development (the AppHost's environment).</param>
public sealed record OtlpRoute(string Endpoint, string Protocol, string? ApiKeyHeader, bool QuickExport = false)
{
    public bool HasApiKey => ApiKeyHeader is not null;
}

/// <summary>
/// Carries the pods' OTLP telemetry to the dashboard. The dashboard's OTLP endpoint listens on the
/// host's loopback only (Aspire gives projects ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL, or
/// ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL, and the key AppHost:OtlpApiKey: Aspire 13.6
/// OtlpConfigurationExtensions.RegisterOtlpEnvironment, OtlpEndpointResolver.ResolveOtlpEndpoint,
/// DistributedApplicationBuilder's GetOrSetSecret("AppHost:OtlpApiKey")), which no pod can reach. So
/// the AppHost opens a TCP forwarder on the k3d network's gateway address: the host's own address on
/// that Docker bridge, which the cluster's containers reach and nothing beyond the Docker network does.
/// Pods reach it as host.k3d.internal, which k3d writes into CoreDNS's NodeHosts with the address
/// from GetHostIP: with native Docker on Linux, the cluster network's gateway (k3d pkg/client/host.go
/// GetHostIP, read at commit 139eadec, an older k3d than the v5.9.0 pinned; with Docker Desktop it
/// resolves host.docker.internal instead, which this forwarder does not listen on). Bytes are forwarded as they are (h2c for gRPC), and
/// the API key travels in the pods' OTLP headers from a Secret, so the dashboard checks it as usual.
/// </summary>
public sealed class OtlpForwarder(K3dCli cli, IConfiguration configuration, IHostEnvironment environment, ILogger<OtlpForwarder> appLog) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private TcpListener? _listener;
    private string? _gatewayOf;
    private OtlpRoute? _route;

    /// <summary>The port the forwarder listens on, once it does.</summary>
    public int? Port => (_listener?.LocalEndpoint as IPEndPoint)?.Port;

    /// <summary>
    /// The route for pods of <paramref name="cluster"/>, opening the forwarder on first use (again if the
    /// cluster's network changed); null, with the reason logged, when the dashboard has no OTLP endpoint
    /// or the gateway cannot be listened on.
    /// </summary>
    public async Task<OtlpRoute?> RouteAsync(string cluster, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var (url, protocol) = DashboardEndpoint();
            if (url is null)
            {
                log.LogWarning("The pods send no telemetry: the dashboard has no OTLP endpoint (ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL is not set).");
                return null;
            }

            string gateway;
            try
            {
                gateway = await cli.NetworkGatewayAsync($"k3d-{cluster}", cancellationToken);
            }
            catch (ClusterSetupException ex)
            {
                log.LogWarning("The pods send no telemetry: {Cause}", ex.Cause);
                return null;
            }

            if (_route is not null && _gatewayOf == gateway)
            {
                return _route;
            }

            _listener?.Stop();
            var listener = new TcpListener(IPAddress.Parse(gateway), 0);
            try
            {
                listener.Start();
            }
            catch (SocketException ex)
            {
                log.LogWarning("The pods send no telemetry: listening on the k3d network's gateway {Gateway} failed: {Message}", gateway, ex.Message);
                listener.Dispose();
                return null;
            }

            _listener = listener;
            _gatewayOf = gateway;
            var target = new Uri(url);
            _ = AcceptAsync(listener, target.Host, target.Port, _stopping.Token);
            var key = configuration["AppHost:OtlpApiKey"];
            _route = new OtlpRoute($"http://host.k3d.internal:{Port}", protocol, string.IsNullOrEmpty(key) ? null : $"x-otlp-api-key={key}", environment.IsDevelopment());
            log.LogInformation("The pods' telemetry goes to {Endpoint} ({Protocol}), forwarded from {Gateway}:{Port} on the k3d network to the dashboard's {Url}.",
                _route.Endpoint, protocol, gateway, Port, url);
            return _route;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The dashboard's OTLP endpoint as Aspire resolves it for projects: gRPC preferred, else HTTP.</summary>
    private (string? Url, string Protocol) DashboardEndpoint() =>
        configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] is { Length: > 0 } grpc ? (grpc, "grpc")
        : configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] is { Length: > 0 } http ? (http, "http/protobuf")
        : (null, "");

    private async Task AcceptAsync(TcpListener listener, string host, int port, CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stopping);
                _ = ForwardAsync(client, host, port, stopping);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // stopped, or replaced after the cluster's network changed
        }
    }

    private async Task ForwardAsync(TcpClient client, string host, int port, CancellationToken stopping)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(host, port, stopping);
                var down = client.GetStream();
                var up = upstream.GetStream();
                await Task.WhenAny(down.CopyToAsync(up, stopping), up.CopyToAsync(down, stopping));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                appLog.LogDebug("OTLP forwarding ended: {Message}", ex.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener?.Stop();
        _listener?.Dispose();
        _stopping.Dispose();
        _gate.Dispose();
    }
}
