using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using KafkaDemo.AppHost.Placement;
using KafkaDemo.DeploymentContract.Load;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using static KafkaDemo.AppHost.Tests.K3d.FakeCluster;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// Issue 17, "the pods' metrics and traces reach the dashboard through its OTLP endpoint, with its API key": the
/// whole AppHost in k3d mode with KafkaDemo:Placement=cluster against the fake cluster, whose kubelet runs the load's
/// pods as the real Producer and Consumer with their real OpenTelemetry exporters. They export to
/// http://host.k3d.internal:port, which the fake's cluster DNS resolves, as k3d's CoreDNS NodeHosts entry does, to the
/// k3d network's gateway the scripted docker reports (here a loopback address, so the forwarder can listen on it
/// on this machine); the AppHost's real OtlpForwarder listens there and carries the bytes to a stand-in for the
/// dashboard's OTLP endpoint (<see cref="FakeDashboardOtlp"/>), which checks the API key as the dashboard does and
/// decodes what it accepts. What did not run for real: docker, k3d, the API server, the containers (host processes
/// on loopback), CoreDNS (a rewrite of the pods' environment), the dashboard (the stand-in).
/// </summary>
public sealed class TelemetryPlacementTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    private static readonly string[] Light = FakeCluster.LightPlacementArgs(producers: 1, consumers: 1, rate: 100, controller: false);

    /// <summary>The k3d network's gateway as the scripted docker reports it: a loopback address, which this machine can listen on.</summary>
    private const string Gateway = "127.0.0.1";

    /// <summary>The gRPC packages of the two signals: opentelemetry.proto.collector.{trace,metrics}.v1.</summary>
    private static readonly string[] Signals = [OtlpExportReader.Metrics, OtlpExportReader.Traces];

    private static readonly string[] GrpcPackages = ["trace", "metrics"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(OtlpTransport.Grpc)]
    [InlineData(OtlpTransport.HttpProtobuf)]
    public async Task The_pods_real_exporters_send_metrics_and_traces_through_the_forwarder_to_the_dashboards_OTLP_endpoint_with_its_key(OtlpTransport transport)
    {
        SharedReference.RequireK8sReference();
        const string key = "dashboard-otlp-key-0123456789";
        var output = TestContext.Current.TestOutputHelper!;
        int forwarderPort;
        IReadOnlyList<ContainerProcessRecord> processes;
        await using var dashboard = await FakeDashboardOtlp.StartAsync(transport, key);
        await using (var cluster = await FakeCluster.StartAsync())
        {
            cluster.Tools.NetworkGateway = Gateway;
            cluster.RunLoadAsProcesses();
            await using (var app = await cluster.StartAppAsync([.. Light, .. dashboard.AppHostArguments(key)]))
            {
                await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "1/1 ready", Deadline);
                await WaitForAsync(app, "consumer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "1/1 ready", Deadline);
                forwarderPort = app.Services.GetRequiredService<OtlpForwarder>().Port ?? throw new Xunit.Sdk.XunitException("The forwarder does not listen.");
                Assert.NotEqual(dashboard.Endpoint.Port, forwarderPort);
                var pods = LoadPods(cluster);
                Assert.Equal(2, pods.Count);

                // Each pod's container: the forwarder as host.k3d.internal, the key from the Secret, the protocol of the dashboard's endpoint.
                foreach (var (pod, _) in pods)
                {
                    var environment = cluster.Api.FindRunningContainer(LoadDeployment.Namespace, pod)!.Environment;
                    Assert.Equal($"http://{K3dInternalHost}:{forwarderPort}", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
                    Assert.Equal(transport == OtlpTransport.Grpc ? "grpc" : "http/protobuf", environment["OTEL_EXPORTER_OTLP_PROTOCOL"]);
                    Assert.Equal($"{FakeDashboardOtlp.ApiKeyHeader}={key}", environment["OTEL_EXPORTER_OTLP_HEADERS"]);
                }

                // Metrics and traces from every pod, named by its Deployment (service.name) and itself (service.instance.id).
                await Eventually.TrueAsync(
                    () => Task.FromResult(pods.All(p => Received(dashboard, OtlpExportReader.Metrics, p) && Received(dashboard, OtlpExportReader.Traces, p))),
                    Deadline,
                    () => $"Not every pod's metrics and traces arrived. Pods: {string.Join(", ", pods.Keys)}. {Describe(dashboard)}");

                foreach (var signal in Signals)
                {
                    foreach (var (pod, deployment) in pods)
                    {
                        var items = dashboard.Accepted.Where(e => e.Signal == signal).SelectMany(e => e.Resources).Where(r => r.InstanceId == pod).SelectMany(r => r.Items).Distinct().Order(StringComparer.Ordinal).ToList();
                        output.WriteLine($"{signal} from {pod}: {items.Count} distinct, e.g. {string.Join(", ", items.Take(6))}");
                    }
                }
            }

            processes = [.. cluster.Api.ContainerProcesses];
        }

        // Only the pods sent anything, and nothing was refused, sent elsewhere (another path or content type) or malformed.
        Assert.Empty(dashboard.Refused);
        Assert.Empty(dashboard.Unexpected);
        Assert.All(dashboard.Accepted.SelectMany(e => e.Resources), r => Assert.Matches($"^{r.ServiceName}-[a-z0-9]+-[a-z0-9]{{5}}$", r.InstanceId ?? ""));

        // Every listener and process is gone: the pods', and the forwarder's.
        Assert.All(processes, p => Assert.True(p.HasExited, $"{p.Pod}'s process (pid {p.ProcessId}) outlived the fake cluster."));
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Parse(Gateway), forwarderPort, Token).AsTask());
    }

    /// <summary>
    /// The AppHost's key is not the dashboard's, or it has none (AppHost:OtlpApiKey empty: the pods send no header). An
    /// AppHost given none at all still has one: Aspire generates it into the user secrets when it runs a dashboard
    /// (DistributedApplicationBuilder, GetOrSetSecret("AppHost:OtlpApiKey")), and the tests read the same store.
    /// </summary>
    [Theory]
    [InlineData("an-old-key-from-another-run", "Incoming API key from 'x-otlp-api-key' header doesn't match configured API key.")]
    [InlineData("", "API key from 'x-otlp-api-key' header is missing.")]
    public async Task A_wrong_or_missing_key_is_refused_as_the_dashboard_refuses_it_and_the_pods_keep_running(string appHostKey, string reason)
    {
        SharedReference.RequireK8sReference();
        await using var dashboard = await FakeDashboardOtlp.StartAsync(OtlpTransport.Grpc, "the-dashboards-own-key-0123456789");
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Tools.NetworkGateway = Gateway;
        cluster.RunLoadAsProcesses();
        await using var app = await cluster.StartAppAsync([.. Light, .. dashboard.AppHostArguments(appHostKey)]);
        await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "1/1 ready", Deadline);
        await WaitForAsync(app, "consumer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "1/1 ready", Deadline);

        // Both signals refused with the dashboard's 401 and its reason, again and again: the exporters keep exporting.
        await Eventually.TrueAsync(
            () => Task.FromResult(GrpcPackages.All(s => dashboard.Refused.Count(r => r.Path.Contains($".{s}.v1.", StringComparison.Ordinal)) >= 3)),
            Deadline,
            () => $"The exporters' requests were not refused three times each. {Describe(dashboard)}");
        Assert.Empty(dashboard.Accepted);
        Assert.Empty(dashboard.Unexpected);
        Assert.All(dashboard.Refused, r => Assert.Equal((Microsoft.AspNetCore.Http.StatusCodes.Status401Unauthorized, reason), (r.StatusCode, r.Reason)));

        // The pods and the AppHost go on: both Deployments Running and ready, every process alive.
        var pods = LoadPods(cluster);
        Assert.Equal(2, pods.Count);
        Assert.All(cluster.Api.ContainerProcesses, p => Assert.False(p.HasExited, $"{p.Pod}'s process exited."));
        await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "1/1 ready");
        await WaitForAsync(app, "consumer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "1/1 ready");
    }

    /// <summary>Without a dashboard OTLP endpoint the pods get no OTLP settings and no key Secret, and the AppHost says why.</summary>
    [Fact]
    public async Task Without_the_dashboards_OTLP_endpoint_the_pods_send_nothing_and_the_AppHost_says_so()
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Tools.NetworkGateway = Gateway;
        await using var app = await cluster.StartAppAsync([.. Light, "--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=", "--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=", "--AppHost:OtlpApiKey=unused-key"]);
        await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running);

        Assert.Contains("The pods send no telemetry: the dashboard has no OTLP endpoint", await LogsAsync(app, "producer"), StringComparison.Ordinal);
        Assert.Null(app.Services.GetRequiredService<OtlpForwarder>().Port);
        var deployment = cluster.Api.AppliedObjects.Last(a => (string?)a.Configuration["kind"] == "Deployment" && a.Name == LoadDeployment.Producer).Configuration;
        Assert.DoesNotContain(deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray(), e => ((string?)e!["name"])!.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal));
        Assert.DoesNotContain(cluster.Api.AppliedObjects, a => a.Name == LoadManifests.OtlpSecretName);
    }

    /// <summary>Whether an accepted export of <paramref name="signal"/> carried items from <paramref name="pod"/>, named by its Deployment.</summary>
    private static bool Received(FakeDashboardOtlp dashboard, string signal, KeyValuePair<string, string> pod) =>
        dashboard.Accepted.Any(e => e.Signal == signal && e.Resources.Any(r => r.InstanceId == pod.Key && r.ServiceName == pod.Value && r.Items.Count > 0));

    /// <summary>The load's pods (not being deleted): name → Deployment.</summary>
    private static Dictionary<string, string> LoadPods(FakeCluster cluster) =>
        cluster.Api.List(ResourceType.Pods, LoadDeployment.Namespace)
            .Where(p => p["metadata"]!["deletionTimestamp"] is null)
            .ToDictionary(p => (string)p["metadata"]!["name"]!, p => (string)p["metadata"]!["labels"]![LoadDeployment.NameLabel]!, StringComparer.Ordinal);

    private static string Describe(FakeDashboardOtlp dashboard) =>
        $"Accepted: {string.Join("; ", dashboard.Accepted.GroupBy(e => (e.Signal, string.Join(",", e.Resources.Select(r => $"{r.ServiceName}/{r.InstanceId}")))).Select(g => $"{g.Key.Signal} from {g.Key.Item2} ×{g.Count()}"))}. "
        + $"Refused: {string.Join("; ", dashboard.Refused.GroupBy(r => (r.Path, r.StatusCode, r.Reason)).Select(g => $"{g.Key.Path} {g.Key.StatusCode} {g.Key.Reason} ×{g.Count()}"))}. "
        + $"Unexpected: {string.Join("; ", dashboard.Unexpected)}.";
}
