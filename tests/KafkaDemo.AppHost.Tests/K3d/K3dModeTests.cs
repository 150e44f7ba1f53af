using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// The whole AppHost in k3d mode, under Aspire.Hosting.Testing, against fakes: a scripted docker and
/// k3d, and a fake Kubernetes API server the real KubernetesClient talks HTTP to, whose Kafka
/// resource points at an embedded Kafka. What ran for real: the AppHost, its bring-up code, the
/// KubernetesClient, the producer, consumer and Overseer, and the Kafka protocol.
/// </summary>
public sealed class K3dModeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_app_comes_up_through_the_k3d_bring_up_and_verifies_messages_end_to_end()
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();
        await using var app = await cluster.StartAppAsync("--KafkaDemo:Rate=1000", "--KafkaDemo:Controller:Enabled=false");

        await WaitForStateAsync(app, "kafka", KnownResourceStates.Running);
        using var consumer = app.CreateHttpClient("consumer");
        ConsumerStats? stats = null;
        await Eventually.TrueAsync(async () =>
        {
            stats = await consumer.GetFromJsonAsync<ConsumerStats>("/api/stats", TestContext.Current.CancellationToken);
            return stats is { Verified: >= 2000 };
        }, Deadline, "Fewer than 2000 messages were verified through the k3d-mode path.");
        Assert.Equal(0, stats!.IntegrityFailures.Total);
        Assert.Equal(0, stats.Gaps);
        Assert.Equal(0, stats.Duplicates);

        var k3dStates = await cluster.StatesThroughAsync("k3d", KnownResourceStates.Running);
        var kafkaStates = await cluster.StatesThroughAsync("kafka", KnownResourceStates.Running);
        TestContext.Current.TestOutputHelper!.WriteLine("k3d: " + string.Join(" → ", k3dStates));
        TestContext.Current.TestOutputHelper!.WriteLine("kafka: " + string.Join(" → ", kafkaStates));
        Assert.Equal("Starting → Checking prerequisites → Creating cluster → Running", string.Join(" → ", k3dStates));
        // Its initial "NotStarted" may be replaced before the recorder subscribes; then Aspire's own
        // "Waiting" (WaitFor k3d) until the cluster runs, where it used to show "Waiting for cluster".
        Assert.Equal("Waiting → Installing Strimzi → Applying Kafka → Waiting for Kafka → Running",
            string.Join(" → ", kafkaStates.SkipWhile(s => s == "NotStarted")));

        // The agent is deployed (image built from k3d/agent, imported, its objects applied) but has no
        // LLM key, so it is not configured; the Overseer says how to set the key.
        await WaitForStateAsync(app, "vibectl", "Not configured");
        // Aspire's "Waiting" (WaitFor kafka) where it used to show "Waiting for Kafka".
        Assert.Equal("Waiting → Building image → Importing image → Deploying → Not configured",
            string.Join(" → ", (await cluster.StatesThroughAsync("vibectl", "Not configured")).SkipWhile(s => s == "NotStarted")));
        Assert.Equal(["Dockerfile", "idle.sh", "instructions.md", "requirements.txt"], Assert.Single(cluster.Tools.BuildContexts));
        Assert.Contains(cluster.Tools.Calls, c => c.StartsWith("k3d image import kafkademo-vibectl:", StringComparison.Ordinal));
        Assert.Contains(cluster.Api.AppliedObjects, a => (string?)a.Configuration["kind"] == "Role" && a.Namespace == "kafka");
        Assert.DoesNotContain(cluster.Api.AppliedObjects, a => (string?)a.Configuration["kind"] == "Secret");
        Assert.Contains("llm-api-key", await FakeCluster.LogsAsync(app, "vibectl"), StringComparison.Ordinal);

        // The connection string came from the Kafka resource's status, not from a literal.
        var kafka = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == "kafka");
        Assert.Equal(cluster.Kafka.BootstrapServers, await kafka.GetConnectionStringAsync(TestContext.Current.CancellationToken));

        // Everything was applied with server-side apply under one field manager, operator first.
        var applied = cluster.Api.AppliedObjects;
        Assert.All(applied, a => Assert.Equal("kafkademo", a.FieldManager));
        var kinds = applied.Select(a => (string?)a.Configuration["kind"]).ToList();
        Assert.Equal("Namespace", kinds[0]);
        Assert.True(kinds.IndexOf("Deployment") < kinds.IndexOf("Kafka"), "The operator must be applied before the Kafka resource.");
        Assert.Contains(applied, a => (string?)a.Configuration["kind"] == "RoleBinding" && (string?)a.Configuration["subjects"]![0]!["namespace"] == "kafka");
        var kafkaApplied = applied.Last(a => (string?)a.Configuration["kind"] == "Kafka").Configuration;
        var external = kafkaApplied["spec"]!["kafka"]!["listeners"]!.AsArray().Single(l => (string?)l!["name"] == "external")!;
        Assert.Equal(cluster.Test.NodePort, (int)external["configuration"]!["bootstrap"]!["nodePort"]!);

        // The cluster was created from the rendered config, with the same ports, and its kubeconfig is our own file.
        var config = Assert.Single(cluster.Tools.CreatedFromConfigs);
        Assert.Contains($"127.0.0.1:{cluster.Test.NodePort}:{cluster.Test.NodePort}", config, StringComparison.Ordinal);
        Assert.Contains("updateDefaultKubeconfig: false", config, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cluster.Test.KubeconfigPath));
        }

        Assert.Contains(cluster.Api.BaseAddress.Authority, await File.ReadAllTextAsync(cluster.Test.KubeconfigPath, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var kafkaLog = await FakeCluster.LogsAsync(app, "kafka");
        Assert.Contains("3/3 broker pods ready", kafkaLog, StringComparison.Ordinal);
        Assert.Contains("NotReady=True (Creating)", kafkaLog, StringComparison.Ordinal);
        Assert.Contains($"kubectl --kubeconfig {cluster.Test.KubeconfigPath} get kafka -n kafka", await FakeCluster.LogsAsync(app, "k3d"), StringComparison.Ordinal);

        // Restart Kafka brokers asks Strimzi for a rolling restart of the pool.
        var restart = await app.ResourceCommands.ExecuteCommandAsync("kafka", "restart-brokers", TestContext.Current.CancellationToken);
        Assert.True(restart.Success, restart.Message);
        var podSet = cluster.Api.Get(SimulatedStrimzi.StrimziPodSets, StrimziNames.Namespace, StrimziNames.PodSetName)!;
        Assert.Equal("true", (string?)podSet["metadata"]!["annotations"]!["strimzi.io/manual-rolling-update"]);
    }

    [Fact]
    public async Task A_running_cluster_is_reused_and_left_running_on_exit()
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Tools.AddCluster("kafkademo", running: true);

        await using (var app = await cluster.StartAppAsync())
        {
            await WaitForStateAsync(app, "kafka", KnownResourceStates.Running);
            Assert.Equal(["Starting", "Checking prerequisites", "Reusing cluster", "Running"], await cluster.StatesThroughAsync("k3d", KnownResourceStates.Running));
        }

        Assert.Empty(cluster.Tools.CreatedFromConfigs);
        Assert.DoesNotContain(cluster.Tools.Calls, c => c.Contains("cluster delete", StringComparison.Ordinal));
        Assert.True(cluster.Tools.Clusters["kafkademo"]);
    }

    [Fact]
    public async Task DeleteOnExit_deletes_the_cluster_when_the_app_stops()
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();

        await using (var app = await cluster.StartAppAsync("--KafkaDemo:K3d:DeleteOnExit=true"))
        {
            await WaitForStateAsync(app, "kafka", KnownResourceStates.Running);
            Assert.True(cluster.Tools.Clusters.ContainsKey("kafkademo"));
        }

        Assert.Contains("k3d cluster delete kafkademo", cluster.Tools.Calls);
        Assert.False(cluster.Tools.Clusters.ContainsKey("kafkademo"));
    }

    [Fact]
    public async Task With_an_OpenAI_compatible_server_and_no_key_the_agent_is_configured_and_no_key_is_asked_for()
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();
        await using var app = await cluster.StartAppAsync("--KafkaDemo:Rate=200", "--KafkaDemo:Controller:Enabled=false",
            "--Parameters:llm-base-url=http://host.k3d.internal:8000/v1", "--Parameters:llm-model=local-model");

        await WaitForStateAsync(app, "vibectl", KnownResourceStates.Running);
        Assert.DoesNotContain("Not configured", await cluster.StatesThroughAsync("vibectl", KnownResourceStates.Running));
        // The Overseer reads "configured" from this annotation on the pod template.
        var deployment = cluster.Api.Get(ResourceType.Deployments, "kafkademo-agent", "vibectl")!;
        Assert.NotNull(deployment["spec"]!["template"]!["metadata"]!["annotations"]?[DeploymentContract.Agent.AgentDeployment.KeyAnnotation]);
        Assert.DoesNotContain(cluster.Api.AppliedObjects, a => (string?)a.Configuration["kind"] == "Secret");
        var models = (string)cluster.Api.AppliedObjects.Last(a => (string?)a.Configuration["kind"] == "ConfigMap" && (string?)a.Configuration["metadata"]!["name"] == "vibectl-llm-models")
            .Configuration["data"]!["extra-openai-models.yaml"]!;
        // Both parameters came from configuration (a parameter added with a plain value would ignore it).
        Assert.Contains("model_id: local-model", models, StringComparison.Ordinal);
        Assert.Contains("api_base: http://host.k3d.internal:8000/v1", models, StringComparison.Ordinal);
        Assert.DoesNotContain("api_key_name", models, StringComparison.Ordinal);
    }

    public static TheoryData<string, string[]> Failures => new()
    {
        { "docker-not-running", ["Docker is not running: Cannot connect to the Docker daemon", "Start Docker", "KafkaDemo:Mode=embedded"] },
        { "docker-missing", ["Docker is not installed (docker not found on PATH)", "https://docs.docker.com/get-docker/"] },
        { "k3d-missing", ["k3d not found on PATH.", "Install k3d 5.7 or later: https://k3d.io/#installation"] },
        { "k3d-too-old", ["k3d v5.4.6 is too old", "5.7 or later"] },
        { "port-in-use", ["is already in use, so k3d cannot map it", "KafkaDemo:K3d:NodePort"] },
        { "low-memory", ["the k3d mode needs at least 4 GiB", "Give Docker more memory"] },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Each_missing_prerequisite_fails_the_cluster_fast_with_its_cause_and_fix(string failure, string[] expected)
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();
        using var occupied = new TcpListener(IPAddress.Loopback, cluster.Test.NodePort + 1);
        switch (failure)
        {
            case "docker-not-running": cluster.Tools.DockerRunning = false; break;
            case "docker-missing": cluster.Tools.DockerInstalled = false; break;
            case "k3d-missing": cluster.Tools.K3dVersion = null; break;
            case "k3d-too-old": cluster.Tools.K3dVersion = "v5.4.6"; break;
            case "port-in-use": occupied.Start(); break;
            case "low-memory": cluster.Tools.DockerMemoryBytes = 2L << 30; break;
        }

        var started = DateTime.UtcNow;
        await using var app = await cluster.StartAppAsync();
        await WaitForStateAsync(app, "k3d", KnownResourceStates.FailedToStart);
        await WaitForStateAsync(app, "kafka", KnownResourceStates.FailedToStart);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), "The failure took more than a minute to show.");

        var log = await FakeCluster.LogsAsync(app, "k3d");
        foreach (var text in expected)
        {
            Assert.Contains(text, log, StringComparison.Ordinal);
        }

        if (failure == "port-in-use")
        {
            Assert.Contains($"Host port 127.0.0.1:{cluster.Test.NodePort + 1} (the port of Kafka broker 0)", log, StringComparison.Ordinal);
        }

        Assert.Contains("The k3d cluster is not available", await FakeCluster.LogsAsync(app, "kafka"), StringComparison.Ordinal);
        Assert.Empty(cluster.Tools.CreatedFromConfigs);
        Assert.Empty(cluster.Api.AppliedObjects);
    }

    [Fact]
    public async Task Kafka_that_never_becomes_Ready_fails_after_the_timeout_quoting_its_last_condition()
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Strimzi.NeverReadyMessage = "Exceeded timeout of 300000ms while waiting for Pods resource kafkademo-dual-0 to be ready";

        await using var app = await cluster.StartAppAsync("--KafkaDemo:K3d:ReadyTimeoutSeconds=4");
        await WaitForStateAsync(app, "k3d", KnownResourceStates.Running);
        await WaitForStateAsync(app, "kafka", KnownResourceStates.FailedToStart);

        var log = await FakeCluster.LogsAsync(app, "kafka");
        Assert.Contains("Kafka was not Ready within 4 s (KafkaDemo:K3d:ReadyTimeoutSeconds)", log, StringComparison.Ordinal);
        Assert.Contains("NotReady=True (Timeout): Exceeded timeout of 300000ms while waiting for Pods resource kafkademo-dual-0 to be ready", log, StringComparison.Ordinal);
        Assert.Contains("logs deploy/strimzi-cluster-operator", log, StringComparison.Ordinal);
        using var quick = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        quick.CancelAfter(TimeSpan.FromSeconds(30));
        // The services that wait for Kafka fail with it, instead of waiting for ever.
        await app.ResourceNotifications.WaitForResourceAsync("producer", e => e.Snapshot.State?.Text == KnownResourceStates.FailedToStart, quick.Token);
    }

    [Fact]
    public async Task A_refused_Strimzi_install_fails_kafka_quoting_the_api_server()
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();
        using var refusal = cluster.Api.AddFault(FaultRule.Error("PATCH", "/apis/apps/v1/namespaces/kafka/deployments/strimzi-cluster-operator",
            HttpStatusCode.Forbidden, message: "deployments.apps \"strimzi-cluster-operator\" is forbidden: exceeded quota"));

        await using var app = await cluster.StartAppAsync();
        await WaitForStateAsync(app, "kafka", KnownResourceStates.FailedToStart);

        var log = await FakeCluster.LogsAsync(app, "kafka");
        Assert.Contains("Applying Deployment kafka/strimzi-cluster-operator failed: 403", log, StringComparison.Ordinal);
        Assert.Contains("exceeded quota", log, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Api.AppliedObjects, a => (string?)a.Configuration["kind"] == "Kafka");
    }

    [Fact]
    public async Task A_wrong_operator_manifest_fails_the_install_before_anything_is_applied()
    {
        SharedReference.RequireK8sReference();
        await using var cluster = await FakeCluster.StartAsync();
        var wrong = Path.Combine(cluster.Test.StateDirectory, "strimzi-cluster-operator-0.40.0.yaml");
        await File.WriteAllTextAsync(wrong, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: strimzi-cluster-operator\nspec:\n  template:\n    spec:\n      containers:\n      - name: op\n        image: quay.io/strimzi/operator:0.40.0\n", TestContext.Current.CancellationToken);

        await using var app = await cluster.StartAppAsync($"--KafkaDemo:K3d:StrimziManifest={wrong}");
        await WaitForStateAsync(app, "kafka", KnownResourceStates.FailedToStart);

        var log = await FakeCluster.LogsAsync(app, "kafka");
        Assert.Contains("is not the one KafkaDemo was built for", log, StringComparison.Ordinal);
        Assert.Contains("not strimzi/operator:1.2.0", log, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Api.AppliedObjects, a => (string?)a.Configuration["kind"] is "Deployment" or "CustomResourceDefinition");
    }

    private static async Task WaitForStateAsync(DistributedApplication app, string resource, string state)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Deadline);
        try
        {
            await app.ResourceNotifications.WaitForResourceAsync(resource, e => e.Snapshot.State?.Text == state, deadline.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"{resource} did not reach {state} within {Deadline.TotalSeconds} s. Its log:\n{await FakeCluster.LogsAsync(app, resource)}");
        }
    }
}
