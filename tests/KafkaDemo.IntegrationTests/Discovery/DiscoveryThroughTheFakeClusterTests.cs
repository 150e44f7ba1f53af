extern alias overseer;

using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.DeploymentContract.Load;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using overseer::KafkaDemo.Overseer.Discovery;
using overseer::KafkaDemo.Overseer.Extensions;
using overseer::KafkaDemo.Overseer.Fleet;
using overseer::KafkaDemo.Overseer.Report;

namespace KafkaDemo.IntegrationTests.Discovery;

/// <summary>
/// The Overseer's discovery against the fake Kubernetes API through the real KubernetesClient, as its
/// own service account (k3d/overseer) with only the Role deploy/load gives it: the load's
/// EndpointSlices (put as the EndpointSlice controller writes them) are listed and watched, and every
/// pod is polled and commanded through the API server's pod proxy, where the test plays the producers
/// and consumers.
/// </summary>
public sealed class DiscoveryThroughTheFakeClusterTests : IAsyncLifetime
{
    private const string OverseerAccount = "kafkademo-overseer";
    private static readonly ResourceType EndpointSlices = new("discovery.k8s.io", "v1", "endpointslices");
    private static readonly DateTimeOffset Started = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private readonly string _directory = Directory.CreateTempSubdirectory("kafkademo-discovery-").FullName;
    private readonly ConcurrentDictionary<string, object> _stats = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<PodProxyRequest> _changes = new();
    private readonly LogCapture _logs = new();
    private FakeKubernetesApi _api = null!;
    private WebApplication _overseer = null!;
    private string _kubeconfig = "";
    private string _token = "";

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        _api = await FakeKubernetesApi.StartAsync(cancellationToken: cancellationToken);
        using var admin = _api.CreateClient();
        foreach (var ns in new[] { LoadDeployment.Namespace, OverseerAccount })
        {
            await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: cancellationToken);
        }

        // The Overseer's identity as k3d/overseer makes it, and what deploy/load lets it do there.
        await admin.CoreV1.CreateNamespacedServiceAccountAsync(Read<V1ServiceAccount>("k3d/overseer/service-account.yaml"), OverseerAccount, cancellationToken: cancellationToken);
        await admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(Read<V1Role>("deploy/load/overseer-role.yaml"), LoadDeployment.Namespace, cancellationToken: cancellationToken);
        await admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Read<V1RoleBinding>("deploy/load/overseer-role-binding.yaml"), LoadDeployment.Namespace, cancellationToken: cancellationToken);

        _token = _api.IssueServiceAccountToken(OverseerAccount, OverseerAccount);
        var kubeconfig = Path.Combine(_directory, "kubeconfig");
        _api.WriteKubeconfig(kubeconfig);
        await File.WriteAllTextAsync(kubeconfig, AsAccount(await File.ReadAllTextAsync(kubeconfig, cancellationToken), _token), cancellationToken);

        _api.OnPodProxy(ServeAsync);
        _kubeconfig = kubeconfig;
        _overseer = BuildOverseer(_logs);
    }

    /// <summary>The Overseer's services, pointed at the fake as the Overseer's account, its log kept in <paramref name="logs"/>.</summary>
    private WebApplication BuildOverseer(LogCapture logs, params string[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Overseer:Mode"] = "k3d",
            ["Overseer:Discovery:Source"] = "Kubernetes",
            ["Overseer:Cluster:Kubeconfig"] = _kubeconfig,
            ["Control:Token"] = "discovery-test-control-token-0123",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => (string?)p[1]));
        builder.Services.AddSingleton<ILoggerProvider>(logs);
        builder.AddOverseer();
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        if (_overseer is not null)
        {
            await _overseer.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_Overseer_follows_1_then_3_then_2_producers_with_exact_totals_and_commands_the_current_ones_through_the_pod_proxy()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var watcher = _overseer.Services.GetServices<IHostedService>().OfType<EndpointSliceWatcher>().Single();
        var monitor = _overseer.Services.GetServices<IHostedService>().OfType<FleetMonitor>().Single();
        _ = _overseer.Services.GetRequiredService<FleetTotals>(); // counts every poll from the first
        var report = _overseer.Services.GetRequiredService<OverseerReport>();
        var commands = _overseer.Services.GetRequiredService<FleetCommands>();

        AddPod("producer-6d8f-aaaaa", 11);
        AddPod("consumer-5c4b-kkkkk", 21);
        PutSlice(LoadDeployment.Producer, "producer-x1", ("producer-6d8f-aaaaa", 11, true));
        PutSlice(LoadDeployment.Consumer, "consumer-x1", ("consumer-5c4b-kkkkk", 21, true));
        Producer("producer-6d8f-aaaaa", 100);
        Consumer("consumer-5c4b-kkkkk", 100);
        await watcher.StartAsync(cancellationToken);
        try
        {
            await DiscoveredAsync(1, 1);
            await monitor.PollOnceAsync(cancellationToken);
            Assert.Equal(100, report.Summary().Producer.Sent);

            // Scale to 3: a new pod in the first slice (one not ready yet), and one in a second slice.
            AddPod("producer-6d8f-bbbbb", 12);
            AddPod("producer-6d8f-ccccc", 13);
            PutSlice(LoadDeployment.Producer, "producer-x1", ("producer-6d8f-aaaaa", 11, true), ("producer-6d8f-bbbbb", 12, false));
            PutSlice(LoadDeployment.Producer, "producer-x2", ("producer-6d8f-ccccc", 13, true));
            await DiscoveredAsync(2, 1);
            PutSlice(LoadDeployment.Producer, "producer-x1", ("producer-6d8f-aaaaa", 11, true), ("producer-6d8f-bbbbb", 12, true));
            await DiscoveredAsync(3, 1);
            Producer("producer-6d8f-aaaaa", 200);
            Producer("producer-6d8f-bbbbb", 50);
            Producer("producer-6d8f-ccccc", 70);
            await monitor.PollOnceAsync(cancellationToken);
            Assert.Equal(320, report.Summary().Producer.Sent);
            Assert.Equal(3, report.Summary().Producer.Instances);

            // Scale to 2: bbbbb leaves its slice and its pod goes; its 50 stay counted, once.
            PutSlice(LoadDeployment.Producer, "producer-x1", ("producer-6d8f-aaaaa", 11, true));
            _api.Delete(ResourceType.Pods, LoadDeployment.Namespace, "producer-6d8f-bbbbb");
            await DiscoveredAsync(2, 1);
            Producer("producer-6d8f-aaaaa", 300);
            Producer("producer-6d8f-ccccc", 100);
            await monitor.PollOnceAsync(cancellationToken);
            await monitor.PollOnceAsync(cancellationToken);

            var summary = report.Summary();
            Assert.Equal(300 + 50 + 100, summary.Producer.Sent);
            Assert.Equal(2, summary.Producer.Instances);
            Assert.Equal(100, summary.Consumer.Verified);
            Assert.Equal(
                [("consumer-5c4b-kkkkk", $"pod {LoadDeployment.Namespace}/consumer-5c4b-kkkkk:8080 (API server proxy)"),
                 ("producer-6d8f-aaaaa", $"pod {LoadDeployment.Namespace}/producer-6d8f-aaaaa:8080 (API server proxy)"),
                 ("producer-6d8f-ccccc", $"pod {LoadDeployment.Namespace}/producer-6d8f-ccccc:8080 (API server proxy)")],
                summary.Instances.Select(i => (i.Name, i.Address)).Order());
            Assert.Empty(summary.StaleInstances);

            var change = await commands.SetTotalRateAsync(3000, "", cancellationToken);
            Assert.True(change.AllApplied, change.Describe());
            Assert.Equal(
                [("producer-6d8f-aaaaa", "/api/rate", 1500.0), ("producer-6d8f-ccccc", "/api/rate", 1500.0)],
                _changes.Select(c => (c.Pod, c.Path, JsonNode.Parse(c.Body)!["rate"]!.GetValue<double>())).Order().ToList());
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }

        // Everything went as the Overseer's account and RBAC allowed it: list and watch the slices,
        // GET and PUT through the pod proxy; nothing else was asked.
        var asked = _api.Requests.Where(r => r.User == $"system:serviceaccount:{OverseerAccount}:{OverseerAccount}").ToList();
        // (A watch the stopped watcher left open has no status recorded until the fake ends it.)
        Assert.All(asked, r => Assert.True(r.StatusCode is >= 200 and < 300 || (r.StatusCode is null && r.QueryValues("watch").SequenceEqual(["true"])), r.ToString()));
        Assert.Contains(asked, r => r.Method == "GET" && r.Path == $"/apis/discovery.k8s.io/v1/namespaces/{LoadDeployment.Namespace}/endpointslices" && !r.QueryValues("watch").SequenceEqual(["true"]));
        Assert.Contains(asked, r => r.Method == "GET" && r.Path == $"/apis/discovery.k8s.io/v1/namespaces/{LoadDeployment.Namespace}/endpointslices" && r.QueryValues("watch").SequenceEqual(["true"]));
        Assert.Contains(asked, r => r.Method == "PUT" && r.Path == $"/api/v1/namespaces/{LoadDeployment.Namespace}/pods/producer-6d8f-aaaaa:{LoadDeployment.HttpPort}/proxy/api/rate");
        Assert.All(asked, r => Assert.True(r.Path.Contains("/endpointslices", StringComparison.Ordinal) || r.Path.Contains("/proxy/", StringComparison.Ordinal), r.ToString()));

        // And the account reads no Secret there (the HMAC secret's namespace).
        using var asOverseer = new Kubernetes(_api.ClientConfigurationFor(_token));
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => asOverseer.CoreV1.ListNamespacedSecretAsync(LoadDeployment.Namespace, cancellationToken: cancellationToken));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
    }

    /// <summary>
    /// The API server ends a watch at its <c>timeoutSeconds</c> without a line when nothing changed
    /// (k8s.io/apiserver v0.32.13 pkg/endpoints/handlers/watch.go WatchServer.HandleHTTP,
    /// <c>case &lt;-timeoutCh: return</c>), as the fake does. A watch with allowWatchBookmarks gets no
    /// BOOKMARK first when its timeout is 2 s or less (pkg/storage/cacher/cache_watcher.go nextBookmarkTime:
    /// 2 s before the deadline is already past), so with 1 s the real server ends it as quietly.
    /// KubernetesClient surfaces that end as an HttpRequestException around EndOfStreamException
    /// (QuietWatchEnd): the watch resumes from its version at once (no new list, no warning, no backoff),
    /// and a pod added after that is found.
    /// </summary>
    [Fact]
    public async Task A_watch_the_server_ends_quietly_at_its_timeout_resumes_without_a_warning_and_a_later_pod_is_found()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await _overseer.DisposeAsync();
        var logs = new LogCapture();
        _overseer = BuildOverseer(logs, "Overseer:Cluster:WatchSeconds=1");
        var watcher = _overseer.Services.GetServices<IHostedService>().OfType<EndpointSliceWatcher>().Single();

        AddPod("producer-6d8f-aaaaa", 11);
        AddPod("consumer-5c4b-kkkkk", 21);
        PutSlice(LoadDeployment.Producer, "producer-x1", ("producer-6d8f-aaaaa", 11, true));
        PutSlice(LoadDeployment.Consumer, "consumer-x1", ("consumer-5c4b-kkkkk", 21, true));
        await watcher.StartAsync(cancellationToken);
        try
        {
            await DiscoveredAsync(1, 1);

            // Three watches end quietly one after the other (1 s each; a backoff would wait 1, 2, 4 s between them).
            await Eventually.TrueAsync(() => SliceWatches().Count >= 4, TimeSpan.FromSeconds(30), "The watch was not opened again after it ended quietly.");
            Assert.Single(SliceLists());
            Assert.All(SliceWatches(), w => Assert.NotEmpty(w.QueryValues("resourceVersion"))); // resumed, not listed afresh

            // A pod added after the quiet ends is found.
            AddPod("producer-6d8f-bbbbb", 12);
            PutSlice(LoadDeployment.Producer, "producer-x1", ("producer-6d8f-aaaaa", 11, true), ("producer-6d8f-bbbbb", 12, true));
            await DiscoveredAsync(2, 1);
            Assert.False(watcher.ExecuteTask!.IsCompleted, "The watcher stopped.");
            var complaints = logs.Lines.Where(l => l.Category == typeof(EndpointSliceWatcher).FullName && l.Level >= LogLevel.Warning).ToList();
            Assert.True(complaints.Count == 0, $"A quiet end was logged as a failure: {string.Join(" | ", complaints.Select(l => l.Message))}");
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    private const string SlicesPath = $"/apis/discovery.k8s.io/v1/namespaces/{LoadDeployment.Namespace}/endpointslices";

    private List<RecordedRequest> SliceWatches() => [.. _api.Requests.Where(r => r.Path == SlicesPath && r.QueryValues("watch").SequenceEqual(["true"]))];

    private List<RecordedRequest> SliceLists() => [.. _api.Requests.Where(r => r.Method == "GET" && r.Path == SlicesPath && !r.QueryValues("watch").SequenceEqual(["true"]))];

    /// <summary>Waits until discovery has found this many ready producers and consumers (its watch runs on its own).</summary>
    private async Task DiscoveredAsync(int producers, int consumers)
    {
        var discovered = _overseer.Services.GetRequiredService<DiscoveredInstances>();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            var now = discovered.Current;
            if (now.Count(i => i.IsProducer) == producers && now.Count(i => !i.IsProducer) == consumers)
            {
                reached.TrySetResult();
            }
        }

        discovered.Changed += Check;
        try
        {
            Check();
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        }
        finally
        {
            discovered.Changed -= Check;
        }
    }

    private Task<PodProxyResponse?> ServeAsync(PodProxyRequest request)
    {
        if (request.Namespace != LoadDeployment.Namespace || request.Port != LoadDeployment.HttpPort)
        {
            return Task.FromResult<PodProxyResponse?>(null);
        }

        if (request.Method == "PUT")
        {
            _changes.Enqueue(request);
            return Task.FromResult<PodProxyResponse?>(Json(new { }));
        }

        return Task.FromResult<PodProxyResponse?>(request.Path switch
        {
            "/health" => new PodProxyResponse { Body = "Healthy" },
            "/api/stats" when _stats.TryGetValue(request.Pod, out var stats) => Json(stats),
            "/api/histograms" => Json(new IntervalSeries(request.Pod, "us", LatencyHistograms.EncodingName, new Dictionary<string, IReadOnlyList<EncodedInterval>>())),
            _ => new PodProxyResponse { StatusCode = 404 },
        });
    }

    private static PodProxyResponse Json(object value) =>
        new() { ContentType = "application/json; charset=utf-8", Body = JsonSerializer.Serialize(value, value.GetType(), JsonSerializerOptions.Web) };

    private void Producer(string pod, long sent) => _stats[pod] = new ProducerStats(
        pod, Guid.Empty, UnixMicros.From(Started), Started, false, 1000, new RateSummary(1000, 1000), new RateSummary(1000, 1000),
        sent, sent, 0, 0, "512", "orders:1", NoLatency, NoLatency, NoSnapshot, NoSnapshot);

    private void Consumer(string pod, long verified) => _stats[pod] = new ConsumerStats(
        pod, Started, verified, verified, new IntegrityFailures(0, 0, 0, 0, 0), 0, 0, 0, 0, 0, 0, 0, 1, 6, new RateSummary(1000, 1000),
        NoLatency, NoLatency, NoSnapshot, NoSnapshot);

    private static LatencyWindowSummaries NoLatency => new(LatencySummary.Empty, LatencySummary.Empty, LatencySummary.Empty);

    private static HistogramSnapshot NoSnapshot => new("us", LatencyHistograms.EncodingName, null, "");

    /// <summary>A Running pod with an IP, as the kubelet reports one (what the pod proxy needs).</summary>
    private void AddPod(string name, int ip)
    {
        var deployment = name.StartsWith(LoadDeployment.Producer, StringComparison.Ordinal) ? LoadDeployment.Producer : LoadDeployment.Consumer;
        var pod = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"@NAME@","namespace":"@NAMESPACE@","labels":{"@LABEL@":"@DEPLOYMENT@"}},
             "spec":{"containers":[{"name":"@DEPLOYMENT@","image":"kafkademo-@DEPLOYMENT@:test","ports":[{"name":"@PORTNAME@","containerPort":@PORT@}]}]},
             "status":{"phase":"Running","podIP":"@IP@","podIPs":[{"ip":"@IP@"}],"conditions":[{"type":"Ready","status":"True"}]}}
            """
            .Replace("@NAMESPACE@", LoadDeployment.Namespace, StringComparison.Ordinal)
            .Replace("@NAME@", name, StringComparison.Ordinal)
            .Replace("@LABEL@", LoadDeployment.NameLabel, StringComparison.Ordinal)
            .Replace("@DEPLOYMENT@", deployment, StringComparison.Ordinal)
            .Replace("@PORTNAME@", LoadDeployment.HttpPortName, StringComparison.Ordinal)
            .Replace("@PORT@", LoadDeployment.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@IP@", $"10.42.0.{ip}", StringComparison.Ordinal);
        _api.Put(JsonNode.Parse(pod)!.AsObject());
    }

    /// <summary>
    /// An EndpointSlice of a headless Service as the EndpointSlice controller writes it (k8s.io/endpointslice
    /// v0.32.13: the labels of setEndpointSliceLabels, podToEndpoint's endpoints, getEndpointPorts' ports).
    /// </summary>
    private void PutSlice(string service, string name, params (string Pod, int Ip, bool Ready)[] endpoints)
    {
        var slice = new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = LoadDeployment.Namespace,
                ["labels"] = new JsonObject
                {
                    ["kubernetes.io/service-name"] = service,
                    ["service.kubernetes.io/headless"] = "",
                    ["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io",
                },
            },
            ["addressType"] = "IPv4",
            ["ports"] = new JsonArray(new JsonObject { ["name"] = LoadDeployment.HttpPortName, ["port"] = LoadDeployment.HttpPort, ["protocol"] = "TCP" }),
            ["endpoints"] = new JsonArray([.. endpoints.Select(e => (JsonNode)new JsonObject
            {
                ["addresses"] = new JsonArray($"10.42.0.{e.Ip}"),
                ["conditions"] = new JsonObject { ["ready"] = e.Ready, ["serving"] = e.Ready, ["terminating"] = false },
                ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = LoadDeployment.Namespace, ["name"] = e.Pod },
                ["nodeName"] = "fake-node",
            })]),
        };
        _api.Put(slice);
    }

    private static T Read<T>(string path) => KubernetesYaml.Deserialize<T>(File.ReadAllText(Path.Combine(SharedReference.RepositoryRoot, path)));

    /// <summary>The fake's kubeconfig with the account's token instead of the admin's.</summary>
    private static string AsAccount(string kubeconfig, string token) =>
        string.Join('\n', kubeconfig.Split('\n').Select(line => line.TrimStart().StartsWith("token: ", StringComparison.Ordinal)
            ? line[..line.IndexOf("token: ", StringComparison.Ordinal)] + "token: " + token
            : line));
}
