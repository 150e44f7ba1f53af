using System.Net;
using System.Net.Sockets;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.Placement;
using KafkaDemo.DeploymentContract.Load;
using KafkaDemo.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.AppHost.Tests.K3d.FakeCluster;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// KafkaDemo:Placement=cluster in the whole AppHost against the fake cluster: the service images are
/// built from the repository root with their Dockerfiles and imported, the Secrets are made in the
/// load's namespace only, the load's objects are applied with the images' hash tags and the settings,
/// and each Deployment's resource follows the pods the fake's Deployment controller makes. What ran
/// for real: the AppHost, its lifecycles, KubernetesClient, the OTLP forwarder's sockets. What did not:
/// docker and k3d (scripted), the pods (here the fake kubelet runs no process; PlacementEndToEndTests and the log test run the real services).
/// </summary>
public sealed class PlacementTests
{
    private static readonly string[] Cluster = FakeCluster.LightPlacementArgs(producers: 2, consumers: 3, rate: 3000);

    [Fact]
    public async Task The_load_is_built_imported_and_applied_and_each_Deployment_resource_follows_its_pods()
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();
        await using var app = await cluster.StartAppAsync(Cluster);

        await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "2/2 ready");
        await WaitForAsync(app, "consumer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "3/3 ready");
        var producerStates = await cluster.StatesThroughAsync("producer", KnownResourceStates.Running);
        var consumerStates = await cluster.StatesThroughAsync("consumer", KnownResourceStates.Running);
        TestContext.Current.TestOutputHelper!.WriteLine("producer: " + string.Join(" → ", producerStates));
        TestContext.Current.TestOutputHelper!.WriteLine("consumer: " + string.Join(" → ", consumerStates));
        // Aspire's Waiting (WaitFor kafka), then the lifecycle's own states; Starting while no pod is ready
        // may be skipped when the fake's pods are ready before the first look.
        Assert.Equal(["Waiting", "Building image", "Importing image", "Applying"], producerStates.SkipWhile(s => s == "NotStarted").Take(4));
        Assert.Equal(KnownResourceStates.Running, producerStates[^1]);

        // The images: built from the repository root with each project's Dockerfile (-f), tagged by the
        // hash of their inputs, with only what the .dockerignore lets in; then imported.
        var root = ServiceImages.FindRepositoryRoot(SharedReference.RepositoryRoot);
        foreach (var (project, repository) in new[] { ("KafkaDemo.Producer", "kafkademo-producer"), ("KafkaDemo.Consumer", "kafkademo-consumer") })
        {
            var image = ServiceImages.For(root, project, repository);
            Assert.Contains(cluster.Tools.Calls, c => c.StartsWith($"docker build -f {Path.Combine(root, project, "Dockerfile")} --load", StringComparison.Ordinal)
                && c.Contains($"--tag {image.Reference} ", StringComparison.Ordinal) && c.EndsWith($" {root}", StringComparison.Ordinal));
            Assert.Contains($"k3d image import {image.Reference} --cluster kafkademo", cluster.Tools.Calls);
            var deployment = cluster.Api.AppliedObjects.Last(a => (string?)a.Configuration["kind"] == "Deployment" && a.Name == repository["kafkademo-".Length..]).Configuration;
            Assert.Equal(image.Reference, (string?)deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        }

        var rootContexts = cluster.Tools.BuildContexts.Where(c => c.Contains("KafkaDemo.slnx")).ToList();
        Assert.Equal(2, rootContexts.Count);
        Assert.All(rootContexts, files => Assert.DoesNotContain(files, f => f.StartsWith("tests/", StringComparison.Ordinal) || f.Contains("/bin/", StringComparison.Ordinal) || f.StartsWith(".git/", StringComparison.Ordinal)));

        // The Secrets: only in kafkademo-load, from the parameters, by server-side apply.
        var secrets = cluster.Api.AppliedObjects.Where(a => (string?)a.Configuration["kind"] == "Secret").ToList();
        Assert.NotEmpty(secrets);
        Assert.All(secrets, s => Assert.Equal(LoadDeployment.Namespace, s.Namespace));
        Assert.Equal([LoadDeployment.ControlSecretName, LoadDeployment.HmacSecretName], secrets.Select(s => s.Name).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(TestApp.Secret, (string?)secrets.Last(s => s.Name == LoadDeployment.HmacSecretName).Configuration["stringData"]![LoadDeployment.HmacSecretKey]);
        Assert.Equal(TestApp.ControlToken, (string?)secrets.Last(s => s.Name == LoadDeployment.ControlSecretName).Configuration["stringData"]![LoadDeployment.ControlSecretKey]);

        // The settings: Strimzi's internal listener from the Kafka status, the split rate, the replicas.
        var settings = cluster.Api.AppliedObjects.Last(a => (string?)a.Configuration["kind"] == "ConfigMap" && a.Name == LoadManifests.SettingsConfigMap).Configuration["data"]!;
        Assert.Equal("kafkademo-kafka-bootstrap.kafka.svc:9092", (string?)settings["ConnectionStrings__kafka"]);
        Assert.Equal("1500", (string?)settings["Producer__Rate"]);
        Assert.Equal(2, (int)cluster.Api.Get(ResourceType.Deployments, LoadDeployment.Namespace, LoadDeployment.Producer)!["spec"]!["replicas"]!);
        Assert.Equal(3, (int)cluster.Api.Get(ResourceType.Deployments, LoadDeployment.Namespace, LoadDeployment.Consumer)!["spec"]!["replicas"]!);
        Assert.Equal(2, cluster.Api.List(ResourceType.Pods, LoadDeployment.Namespace).Count(p => (string?)p["metadata"]!["labels"]![LoadDeployment.NameLabel] == LoadDeployment.Producer));
        Assert.All(cluster.Api.AppliedObjects, a => Assert.Equal("kafkademo", a.FieldManager));

        // The fake's default gateway (Docker's 172.18.0.1) is no address of this machine: no forwarder, said so.
        Assert.Contains("The pods send no telemetry", await FakeCluster.LogsAsync(app, "producer"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pods_telemetry_reaches_the_dashboards_OTLP_endpoint_through_a_forwarder_on_the_k3d_gateway_with_the_key_from_a_Secret()
    {
        SharedReference.RequireK8sReference();
        using var dashboard = new TcpListener(IPAddress.Loopback, 0);
        dashboard.Start();
        var dashboardPort = ((IPEndPoint)dashboard.LocalEndpoint).Port;
        await using var cluster = await FakeCluster.StartAsync();
        // The k3d network's gateway as this machine's loopback, so the test can reach the forwarder.
        cluster.Tools.NetworkGateway = "127.0.0.1";
        await using var app = await cluster.StartAppAsync([.. Cluster, $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{dashboardPort}", "--AppHost:OtlpApiKey=otlp-test-key"]);

        await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running);
        var deployment = cluster.Api.AppliedObjects.Last(a => (string?)a.Configuration["kind"] == "Deployment" && a.Name == LoadDeployment.Producer).Configuration;
        var env = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();
        var endpoint = (string)env.Single(e => (string?)e!["name"] == "OTEL_EXPORTER_OTLP_ENDPOINT")!["value"]!;
        Assert.Matches(@"^http://host\.k3d\.internal:\d+$", endpoint);
        Assert.Equal("grpc", (string?)env.Single(e => (string?)e!["name"] == "OTEL_EXPORTER_OTLP_PROTOCOL")!["value"]);
        var headers = env.Single(e => (string?)e!["name"] == "OTEL_EXPORTER_OTLP_HEADERS")!["valueFrom"]!["secretKeyRef"]!;
        Assert.Equal(LoadManifests.OtlpSecretName, (string?)headers["name"]);
        var secret = cluster.Api.AppliedObjects.Last(a => a.Name == LoadManifests.OtlpSecretName);
        Assert.Equal(LoadDeployment.Namespace, secret.Namespace);
        Assert.Equal("x-otlp-api-key=otlp-test-key", (string?)secret.Configuration["stringData"]![LoadManifests.OtlpSecretKey]);

        // Bytes written to the forwarder arrive at the dashboard's endpoint, as they are.
        var port = int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        using var pod = new TcpClient();
        await pod.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        var sent = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        await pod.GetStream().WriteAsync(sent, TestContext.Current.CancellationToken);
        using var accepted = await dashboard.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        var received = new byte[sent.Length];
        await accepted.GetStream().ReadExactlyAsync(received, TestContext.Current.CancellationToken);
        Assert.Equal(sent, received);
    }

    /// <summary>The scale commands patch the Deployment's deployments/scale subresource.</summary>
    [Fact]
    public async Task Scale_up_changes_the_Deployments_replicas_through_the_scale_subresource_and_consumers_stop_at_the_partition_count()
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();
        await using var app = await cluster.StartAppAsync([.. Cluster, "--KafkaDemo:Partitions=3"]);
        await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running);
        await WaitForAsync(app, "consumer", s => s.State?.Text == KnownResourceStates.Running);

        var up = await app.ResourceCommands.ExecuteCommandAsync("producer", "scale-up", TestContext.Current.CancellationToken);
        Assert.True(up.Success, up.Message);
        Assert.Equal(3, (int)cluster.Api.Get(ResourceType.Deployments, LoadDeployment.Namespace, LoadDeployment.Producer)!["spec"]!["replicas"]!);
        await WaitForAsync(app, "producer", s => ReadyOf(s) == "3/3 ready");

        var beyond = await app.ResourceCommands.ExecuteCommandAsync("consumer", "scale-up", TestContext.Current.CancellationToken);
        Assert.False(beyond.Success);
        Assert.Contains("from 1 to 3 replicas", beyond.Message, StringComparison.Ordinal);
        Assert.Equal(3, (int)cluster.Api.Get(ResourceType.Deployments, LoadDeployment.Namespace, LoadDeployment.Consumer)!["spec"]!["replicas"]!);
    }

    /// <summary>
    /// The AppHost restarted against the same cluster applies the load again: the Deployment scaled through
    /// deployments/scale keeps its count (the apply leaves spec.replicas out, as the scale subresource owns
    /// it), and the one nothing scaled keeps the configured count (the apply still owns it and applies it as it is).
    /// </summary>
    [Fact]
    public async Task Applying_the_load_again_keeps_the_replicas_the_scale_commands_set()
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();
        await using (var app = await cluster.StartAppAsync(Cluster))
        {
            await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "2/2 ready");
            await WaitForAsync(app, "consumer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "3/3 ready");
            var up = await app.ResourceCommands.ExecuteCommandAsync("producer", "scale-up", TestContext.Current.CancellationToken);
            Assert.True(up.Success, up.Message);
            await WaitForAsync(app, "producer", s => ReadyOf(s) == "3/3 ready");
        }

        var producerApplies = DeploymentApplies(cluster, LoadDeployment.Producer).Count;
        var consumerApplies = DeploymentApplies(cluster, LoadDeployment.Consumer).Count;
        await using (var app = await cluster.StartAppAsync(Cluster))
        {
            await Eventually.TrueAsync(
                () => Task.FromResult(DeploymentApplies(cluster, LoadDeployment.Producer).Count > producerApplies && DeploymentApplies(cluster, LoadDeployment.Consumer).Count > consumerApplies),
                TimeSpan.FromMinutes(2), "The restarted AppHost did not apply the Deployments again.");
            await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "3/3 ready");
            await WaitForAsync(app, "consumer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "3/3 ready");
        }

        Assert.Null(DeploymentApplies(cluster, LoadDeployment.Producer)[^1].Configuration["spec"]!["replicas"]);
        Assert.Equal(3, (int)DeploymentApplies(cluster, LoadDeployment.Consumer)[^1].Configuration["spec"]!["replicas"]!);
        var producer = cluster.Api.Get(ResourceType.Deployments, LoadDeployment.Namespace, LoadDeployment.Producer)!;
        Assert.Equal(3, (int)producer["spec"]!["replicas"]!);
        Assert.Equal(3, (int)cluster.Api.Get(ResourceType.Deployments, LoadDeployment.Namespace, LoadDeployment.Consumer)!["spec"]!["replicas"]!);
        // The scale's managedFields entry owns the count; the apply's no longer does.
        var entries = producer["metadata"]!["managedFields"]!.AsArray().OfType<System.Text.Json.Nodes.JsonObject>().ToList();
        Assert.Contains(entries, e => (string?)e["operation"] == "Update" && (string?)e["subresource"] == "scale" && e["fieldsV1"]?["f:spec"]?["f:replicas"] is not null);
        Assert.DoesNotContain(entries, e => (string?)e["operation"] == "Apply" && e["fieldsV1"]?["f:spec"]?["f:replicas"] is not null);
    }

    private static List<AppliedObject> DeploymentApplies(FakeCluster cluster, string name) =>
        [.. cluster.Api.AppliedObjects.Where(a => (string?)a.Configuration["kind"] == "Deployment" && a.Name == name)];

    /// <summary>
    /// The scale command asks for the count in the dashboard and sets it the way scale-up does, with the
    /// same bounds; without the dashboard (as here) it says so and changes nothing.
    /// </summary>
    [Fact]
    public async Task Scale_asks_for_the_count_and_sets_it_with_the_same_checks_and_says_so_without_a_dashboard()
    {
        SharedReference.RequireK8sReference();
        var answers = new ScriptedInteraction();
        await using var cluster = await FakeCluster.StartAsync();
        await using (var app = await cluster.StartAppAsync(Cluster))
        {
            await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "2/2 ready");
            var none = await app.ResourceCommands.ExecuteCommandAsync("producer", "scale", TestContext.Current.CancellationToken);
            Assert.False(none.Success);
            Assert.Contains("in the dashboard, and there is none here", none.Message, StringComparison.Ordinal);
            Assert.Equal(2, (int)cluster.Api.Get(ResourceType.Deployments, LoadDeployment.Namespace, LoadDeployment.Producer)!["spec"]!["replicas"]!);
        }

        // With someone to answer (a scripted interaction service in place of the dashboard's).
        await using (var app = await cluster.StartAppAsync(b => b.Services.AddSingleton<IInteractionService>(answers), Cluster))
        {
            await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running);
            answers.Answers.Enqueue("5");
            var five = await app.ResourceCommands.ExecuteCommandAsync("producer", "scale", TestContext.Current.CancellationToken);
            Assert.True(five.Success, five.Message);
            Assert.Equal(5, (int)cluster.Api.Get(ResourceType.Deployments, LoadDeployment.Namespace, LoadDeployment.Producer)!["spec"]!["replicas"]!);
            await WaitForAsync(app, "producer", s => ReadyOf(s) == "5/5 ready");

            answers.Answers.Enqueue("17");
            var beyond = await app.ResourceCommands.ExecuteCommandAsync("producer", "scale", TestContext.Current.CancellationToken);
            Assert.False(beyond.Success);
            Assert.Equal("producer stays at 5: producer may run from 1 to 16 replicas; 17 is outside.", beyond.Message);
            Assert.Equal(5, (int)cluster.Api.Get(ResourceType.Deployments, LoadDeployment.Namespace, LoadDeployment.Producer)!["spec"]!["replicas"]!);

            answers.Answers.Enqueue(null);
            var canceled = await app.ResourceCommands.ExecuteCommandAsync("producer", "scale", TestContext.Current.CancellationToken);
            Assert.False(canceled.Success);
            Assert.Equal(5, (int)cluster.Api.Get(ResourceType.Deployments, LoadDeployment.Namespace, LoadDeployment.Producer)!["spec"]!["replicas"]!);
        }

        Assert.Equal(3, answers.Prompts.Count);
        Assert.All(answers.Prompts, p => Assert.Equal(("Scale producer", ClusterDeploymentLifecycle.ReplicasInput, InputType.Number), p));
    }

    [Theory]
    [InlineData("producer", 16, "1", null)]
    [InlineData("producer", 16, "16", null)]
    [InlineData("producer", 16, "0", "producer may run from 1 to 16 replicas; 0 is outside.")]
    [InlineData("producer", 16, "17", "producer may run from 1 to 16 replicas; 17 is outside.")]
    [InlineData("consumer", 6, "7", "consumer may run from 1 to 6 replicas (a consumer beyond the partition count gets no partition); 7 is outside.")]
    [InlineData("consumer", 6, "2.5", "'2.5' is not a whole number of pods.")]
    [InlineData("consumer", 6, "", "'' is not a whole number of pods.")]
    public void The_scale_dialog_checks_the_answer_with_the_commands_bounds(string deployment, int max, string answer, string? expected)
    {
        var spec = new ClusterDeploymentSpec(deployment, "KafkaDemo.Producer", "kafkademo-" + deployment, 1, max, "/repo", new LoadSettings("orders:1", 100, "512"));

        Assert.Equal(expected, ClusterDeploymentLifecycle.ReplicasAnswerProblem(spec, answer));
    }

    /// <summary>
    /// The Deployment's watch refused and dropped: the resource shows it lost the watch (not FailedToStart
    /// until Kafka runs again), reads and watches again with backoff, and is Running again by itself.
    /// </summary>
    [Fact]
    public async Task A_lost_Deployment_watch_recovers_by_itself()
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();
        await using var app = await cluster.StartAppAsync(Cluster);
        await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "2/2 ready");

        var watchPath = $"/apis/apps/v1/namespaces/{LoadDeployment.Namespace}/deployments";
        using (cluster.Api.AddFault(new FaultRule
        {
            Matches = r => r.Method == "GET" && r.Path == watchPath && r.Query.Contains("watch=true", StringComparison.Ordinal),
            Status = System.Net.HttpStatusCode.InternalServerError,
            Message = "etcdserver: request timed out",
        }))
        {
            cluster.Api.CloseWatches();
            await WaitForAsync(app, "producer", s => s.State?.Text == ClusterDeploymentLifecycle.WatchLostState);
        }

        await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "2/2 ready");
        var states = cluster.StatesOf("producer");
        Assert.DoesNotContain(KnownResourceStates.FailedToStart, states);
        var failures = (await FakeCluster.LogsAsync(app, "producer")).Split('\n').Where(l => l.Contains("Following producer failed: ", StringComparison.Ordinal)).ToList();
        TestContext.Current.TestOutputHelper!.WriteLine("producer: " + string.Join(" → ", states) + "\n" + string.Join('\n', failures));
        Assert.NotEmpty(failures);
        Assert.Contains("Reading and watching it again in 1 s.", failures[0], StringComparison.Ordinal);
    }

    /// <summary>The pods run the real Producer: each pod's output arrives in the producer resource's log, prefixed by the pod's name.</summary>
    [Fact]
    public async Task The_pods_logs_stream_into_the_Deployments_resource_log()
    {
        SharedReference.RequireK8sReference();
        IReadOnlyList<ContainerProcessRecord> processes;
        await using (var cluster = await FakeCluster.StartAsync())
        {
            cluster.RunLoadAsProcesses();
            await using (var app = await cluster.StartAppAsync(FakeCluster.LightPlacementArgs(producers: 2, consumers: 1, rate: 100)))
            {
                await WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running && ReadyOf(s) == "2/2 ready");
                var pods = cluster.Api.List(ResourceType.Pods, LoadDeployment.Namespace).Select(p => (string)p["metadata"]!["name"]!).Where(n => n.StartsWith("producer-", StringComparison.Ordinal)).ToList();
                Assert.Equal(2, pods.Count);

                // Each pod's output, line by line, under the pod's name: Kestrel's start-up line, as the process wrote it.
                string log = "";
                await Eventually.TrueAsync(
                    async () =>
                    {
                        // Each line as the resource log shows it: a timestamp, the pod's name in brackets, the process's line.
                        var lines = (log = await FakeCluster.LogsAsync(app, "producer")).Split('\n');
                        return pods.All(pod => lines.Any(l => l.Contains($"[{pod}] ", StringComparison.Ordinal) && l.Contains("Now listening on: http://127.0.0.1:", StringComparison.Ordinal)));
                    },
                    TimeSpan.FromSeconds(60),
                    () => $"Not every producer pod's output reached the producer's log. Pods: {string.Join(", ", pods)}. Log:\n{log}");
            }

            processes = [.. cluster.Api.ContainerProcesses];
        }

        Assert.Equal(3, processes.Count);
        Assert.All(processes, p => Assert.True(p.HasExited, $"{p.Pod}'s process (pid {p.ProcessId}) outlived the fake cluster."));
    }
}
