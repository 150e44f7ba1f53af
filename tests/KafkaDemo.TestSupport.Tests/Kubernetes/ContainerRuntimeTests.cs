using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.Workloads;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>
/// Images run as real programs (<see cref="FakeKubernetesApi.RunImage"/>): a small Python HTTP server stands for
/// the service images; the kubelet's environment, cluster DNS, readiness probes, the pod proxy to the process,
/// pod logs from its output, and that no process outlives its pod or the fake.
/// </summary>
public sealed partial class ContainerRuntimeTests
{
    private const string Image = "example/echo:1";
    private const string Bootstrap = "kafkademo-kafka-bootstrap.kafka.svc:9092";

    /// <summary>Answers /health (200 or 503, switched by /toggle), /env (its environment), anything else with the request it got; logs each request.</summary>
    private const string EchoServer = """
        import http.server, json, os, sys
        healthy = [True]
        print("started " + os.environ.get("POD_NAME", "?"), flush=True)
        print("a line on stderr", file=sys.stderr, flush=True)
        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                code = 200
                if self.path == "/health":
                    code = 200 if healthy[0] else 503
                    payload = {"host": self.headers.get("Host"), "agent": self.headers.get("User-Agent")}
                elif self.path == "/toggle":
                    healthy[0] = not healthy[0]
                    payload = {"healthy": healthy[0]}
                elif self.path == "/env":
                    payload = dict(os.environ)
                else:
                    payload = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()), "body": body}
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("X-Echo", "yes")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                print(self.command + " " + self.path, flush=True)
            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer
            def log_message(self, *args):
                pass
        http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
        """;

    [Fact]
    public async Task A_registered_image_runs_with_the_kubelets_environment_is_probed_proxied_and_logged_and_stops_with_its_pod()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var script = await EchoAsync(cluster.Api);
        using var controllers = cluster.Api.DeploymentsRunPods();
        cluster.Api.AddClusterDns(Bootstrap, "127.0.0.1:39092");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["GREETING"] = "hello", ["Kafka__BootstrapServers"] = Bootstrap } },
            Namespace,
            cancellationToken: Token);
        await cluster.Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "echo" },
                Spec = new V1ServiceSpec { ClusterIP = "None", Selector = new Dictionary<string, string> { ["app"] = "echo" }, Ports = [new V1ServicePort { Name = "http", Port = 8080, TargetPort = "http" }] },
            },
            Namespace,
            cancellationToken: Token);
        await CreateAsync(cluster, EchoDeployment());

        var pod = (await PodsAsync(cluster, "echo", p => p.Count == 1 && p.All(IsReady), "The echo pod never became Ready through its probe."))[0];
        var name = pod.Metadata.Name;
        var container = cluster.Api.FindRunningContainer(Namespace, name)!;

        // Exactly the kubelet's environment, the registered cluster name rewritten, plus what the host needs.
        var environment = await ProxyJsonAsync(cluster, name, "env");
        var expected = container.Environment.ToDictionary(p => p.Key, p => p.Value == Bootstrap ? "127.0.0.1:39092" : p.Value);
        expected["PYTHONCOERCECLOCALE"] = "0";
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), environment.Select(p => KeyValuePair.Create(p.Key, p.Value!.GetValue<string>())).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(name, environment["POD_NAME"]!.GetValue<string>());

        // The proxy forwards method, path, query, body and headers; Host stays the API server's, the token stays behind.
        using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(cluster.Api.BaseAddress, $"api/v1/namespaces/{Namespace}/pods/{name}:8080/proxy/echo?x=1"))
        {
            Content = new StringContent("""{"rate":5}""", System.Text.Encoding.UTF8, "application/json"),
        };
        put.Headers.Add("X-Test", "1");
        using var answer = await cluster.SendAsync(put);
        Assert.Equal(("yes", false), (answer.Headers.GetValues("X-Echo").Single(), answer.Headers.Contains("Access-Control-Allow-Origin")));
        var echoed = Parse(await answer.Content.ReadAsStringAsync(Token));
        var headers = echoed["headers"]!.AsObject();
        Assert.Equal(("PUT", "/echo?x=1", """{"rate":5}"""), (echoed["method"]!.GetValue<string>(), echoed["path"]!.GetValue<string>(), echoed["body"]!.GetValue<string>()));
        Assert.Equal(cluster.Api.BaseAddress.Authority, headers["Host"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", headers["X-Forwarded-For"]!.GetValue<string>());
        Assert.Equal($"/api/v1/namespaces/{Namespace}/pods/{name}:8080/proxy/echo", headers["X-Forwarded-Uri"]!.GetValue<string>());
        Assert.Equal(("1", "application/json; charset=utf-8"), (headers["X-Test"]!.GetValue<string>(), headers["Content-Type"]!.GetValue<string>()));
        Assert.False(headers.ContainsKey("Authorization"));

        // Readiness follows the probe: the pod, its endpoint and the Deployment.
        await ProxyJsonAsync(cluster, name, "toggle");
        await PodsAsync(cluster, "echo", p => p.Count == 1 && !IsReady(p[0]), "A failing probe did not make the pod unready.");
        await SliceReadyAsync(cluster, ready: false);
        await DeploymentAsync(cluster, "echo", d => d.Status.ReadyReplicas is null, "readyReplicas did not follow the probe.");
        await ProxyJsonAsync(cluster, name, "toggle");
        await PodsAsync(cluster, "echo", p => p.Count == 1 && IsReady(p[0]), "A passing probe did not make the pod ready again.");
        await SliceReadyAsync(cluster, ready: true);

        // Logs: stdout and stderr both, with timestamps and a tail when asked. The two streams are
        // separate pipes read separately, as containerd's copy of each stream is, so only the order
        // within a stream is promised; a stdout line and a stderr line written together can swap.
        var log = await LogAsync(cluster, name);
        var firstTwo = log.Split('\n').Take(2).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["a line on stderr", $"started {name}"], firstTwo);
        Assert.Contains("PUT /echo?x=1\n", log, StringComparison.Ordinal);
        Assert.Contains("GET /health\n", log, StringComparison.Ordinal);
        var stamped = await LogAsync(cluster, name, timestamps: true, tailLines: 2);
        var lines = stamped.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Matches(Stamped(), l));

        // Follow: lines as they come, until the pod is deleted; then its process is gone.
        await using var follow = await cluster.Client.CoreV1.ReadNamespacedPodLogAsync(name, Namespace, follow: true, tailLines: 0, cancellationToken: Token);
        using var reader = new StreamReader(follow);
        await ProxyJsonAsync(cluster, name, "after");
        Assert.Equal("GET /after", await ReadLineAsync(reader, l => l.StartsWith("GET /after", StringComparison.Ordinal)));
        await cluster.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":0}}""", V1Patch.PatchType.MergePatch), "echo", Namespace, cancellationToken: Token);
        Assert.Null(await ReadLineAsync(reader, _ => false));
        var process = Assert.Single(cluster.Api.ContainerProcesses);
        Assert.Equal((name, "app"), (process.Pod, process.Container));
        await Eventually.TrueAsync(() => process.HasExited, Deadline, "The pod's process outlived the pod.");
    }

    [Fact]
    public async Task An_unregistered_cluster_name_fails_the_container_and_logs_say_it_is_waiting_and_disposal_stops_every_process()
    {
        IReadOnlyList<ContainerProcessRecord> processes;
        await using (var cluster = await StartWithNamespaceAsync())
        {
            using var script = await EchoAsync(cluster.Api);
            using var controllers = cluster.Api.DeploymentsRunPods();
            var deployment = EchoDeployment();
            deployment.Spec.Template.Spec.Containers[0].Env.Add(new V1EnvVar { Name = "BROKER", Value = Bootstrap });
            await CreateAsync(cluster, deployment);
            var pod = (await PodsAsync(cluster, "echo", p => p.Count == 1 && p[0].Status?.ContainerStatuses is { Count: 1 }, "The container never reported its state."))[0];
            var waiting = Assert.Single(pod.Status.ContainerStatuses).State.Waiting;
            Assert.Equal("RunContainerError", waiting.Reason);
            Assert.Contains($"\"{Bootstrap}\"", waiting.Message, StringComparison.Ordinal);
            Assert.Empty(cluster.Api.ContainerProcesses);

            var refused = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, Namespace, cancellationToken: Token));
            var status = Parse(refused.Response.Content);
            Assert.Equal((400, "BadRequest"), (status["code"]!.GetValue<int>(), status["reason"]!.GetValue<string>()));
            Assert.Equal($"container \"app\" in pod \"{pod.Metadata.Name}\" is waiting to start: RunContainerError", status["message"]!.GetValue<string>());
            var invalid = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, Namespace, container: "nope", cancellationToken: Token));
            Assert.Equal($"container nope is not valid for pod {pod.Metadata.Name}", Parse(invalid.Response.Content)["message"]!.GetValue<string>());

            // Registered now: the next pod starts, and the fake's disposal must stop it.
            cluster.Api.AddClusterDns(Bootstrap, "127.0.0.1:39092");
            await cluster.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Namespace, cancellationToken: Token);
            await PodsAsync(cluster, "echo", p => p.Count == 1 && p.All(IsReady), "The replacement never became Ready.");
            processes = cluster.Api.ContainerProcesses;
            Assert.False(Assert.Single(processes).HasExited);
        }

        Assert.True(Assert.Single(processes).HasExited, "Disposing the fake left a container's process running.");
    }

    /// <summary>
    /// host.k3d.internal resolves only once registered as a node host (k3d's CoreDNS NodeHosts entry), then to its
    /// address whatever the port; before that, like any *.internal name, it fails the container.
    /// </summary>
    [Fact]
    public async Task A_node_host_fails_the_container_until_registered_and_then_resolves_to_its_address_whatever_the_port()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var script = await EchoAsync(cluster.Api);
        using var controllers = cluster.Api.DeploymentsRunPods();
        var deployment = EchoDeployment();
        deployment.Spec.Template.Spec.Containers[0].Env.Add(new V1EnvVar { Name = "OTEL_EXPORTER_OTLP_ENDPOINT", Value = "http://host.k3d.internal:41234" });
        await CreateAsync(cluster, deployment);
        var pod = (await PodsAsync(cluster, "echo", p => p.Count == 1 && p[0].Status?.ContainerStatuses is { Count: 1 }, "The container never reported its state."))[0];
        var waiting = Assert.Single(pod.Status.ContainerStatuses).State.Waiting;
        Assert.Equal("RunContainerError", waiting.Reason);
        Assert.Contains("\"host.k3d.internal\"", waiting.Message, StringComparison.Ordinal);
        Assert.Empty(cluster.Api.ContainerProcesses);

        cluster.Api.AddNodeHost("host.k3d.internal", "127.0.0.2");
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Namespace, cancellationToken: Token);
        var replacement = (await PodsAsync(cluster, "echo", p => p.Count == 1 && p.All(IsReady), "The replacement never became Ready."))[0];
        Assert.Equal("http://host.k3d.internal:41234", cluster.Api.FindRunningContainer(Namespace, replacement.Metadata.Name)!.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http://127.0.0.2:41234", (await ProxyJsonAsync(cluster, replacement.Metadata.Name, "env"))["OTEL_EXPORTER_OTLP_ENDPOINT"]!.GetValue<string>());
    }

    private static V1Deployment EchoDeployment()
    {
        var container = Container(image: Image);
        container.Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }];
        container.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings", Optional = true } }];
        container.Env = [new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } }];
        container.ReadinessProbe = new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Path = "/health", Port = "http", HttpHeaders = [new V1HTTPHeader { Name = "Host", Value = "localhost" }] },
            PeriodSeconds = 1,
            FailureThreshold = 1,
        };
        var deployment = Deployment("echo", Spec(container), replicas: 1);
        deployment.Spec.Template.Spec.TerminationGracePeriodSeconds = 2;
        return deployment;
    }

    /// <summary>Registers the echo server for <see cref="Image"/>: the real python3 (not a pyenv shim, which needs the caller's environment).</summary>
    private static async Task<TemporaryScript> EchoAsync(FakeKubernetesApi api)
    {
        // Debian's python3 (no module beyond the standard library); absent: a skip, a failure in CI.
        var python = await RequiredTools.PythonWithAsync();
        var (exitCode, executable, _) = await ExternalTool.RunAsync(python, ["-c", "import sys; print(sys.executable)"]);
        Assert.Equal(0, exitCode);
        var script = new TemporaryScript(EchoServer);
        api.RunImage("example/echo:*", launch => new ContainerCommand
        {
            FileName = executable.Trim(),
            Arguments = [script.Path, launch.HostPort(8080).ToString(CultureInfo.InvariantCulture)],
            HostEnvironment = new Dictionary<string, string> { ["PYTHONCOERCECLOCALE"] = "0" },
        });
        return script;
    }

    private static async Task<JsonObject> ProxyJsonAsync(FakeCluster cluster, string pod, string path)
    {
        await using var stream = await cluster.Client.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync($"{pod}:8080", Namespace, path, cancellationToken: Token);
        return Parse(await new StreamReader(stream).ReadToEndAsync(Token));
    }

    private static async Task<string> LogAsync(FakeCluster cluster, string pod, bool? timestamps = null, int? tailLines = null)
    {
        await using var stream = await cluster.Client.CoreV1.ReadNamespacedPodLogAsync(pod, Namespace, timestamps: timestamps, tailLines: tailLines, cancellationToken: Token);
        return await new StreamReader(stream).ReadToEndAsync(Token);
    }

    /// <summary>The first line that <paramref name="wanted"/> accepts, or null when the stream ends first.</summary>
    private static async Task<string?> ReadLineAsync(StreamReader reader, Func<string, bool> wanted)
    {
        using var deadline = DeadlineToken();
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (wanted(line))
            {
                return line;
            }
        }

        return null;
    }

    private static Task SliceReadyAsync(FakeCluster cluster, bool ready) =>
        Eventually.TrueAsync(
            async () => (await cluster.Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Namespace, labelSelector: "kubernetes.io/service-name=echo", cancellationToken: Token))
                .Items.SingleOrDefault()?.Endpoints?.SingleOrDefault()?.Conditions.Ready == ready,
            Deadline,
            $"The endpoint's ready condition did not become {ready}.");

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z ")]
    private static partial Regex Stamped();

    private sealed class TemporaryScript : IDisposable
    {
        public TemporaryScript(string text)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"fake-kubernetes-echo-{Guid.NewGuid():N}.py");
            File.WriteAllText(Path, text);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}
