using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.Tests.K3d;
using KafkaDemo.DeploymentContract.Load;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.AppHost.Tests.External;

/// <summary>
/// KafkaDemo:Placement=cluster in external mode with an existing cluster: the load's images are built,
/// tagged into KafkaDemo:External:Registry and pushed there (no k3d), the Deployments run those
/// references, and the fake's kubelet runs them as the real Producer and Consumer, whose messages the
/// Overseer (finding the pods through the API server) shows verified. What did not run for real:
/// docker (scripted, the registry a list of pushed references), the API server (the fake), the
/// containers (host processes on loopback ports).
/// </summary>
public sealed class ExistingClusterPlacementTests
{
    private const string Registry = "registry.example.com:5000/kafkademo";

    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    private static readonly string[] Cluster =
    [
        "--KafkaDemo:Placement=cluster", $"--KafkaDemo:External:Registry={Registry}",
        "--KafkaDemo:Producers=1", "--KafkaDemo:Consumers=1", "--KafkaDemo:Rate=200", "--KafkaDemo:Controller:Enabled=false",
    ];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_load_is_pushed_to_the_registry_and_runs_in_the_existing_cluster_with_messages_verified()
    {
        IReadOnlyList<ContainerProcessRecord> processes;
        await using (var world = await ExistingClusterWorld.StartAsync())
        {
            await world.InstallStrimziCrdsAsync();
            world.AddReadyKafka();
            using var topicOperator = world.SimulateTopicOperator(); // the Kafka's Topic Operator: the AppHost waits for its topics
            world.Api.AddClusterDns(FakeCluster.PlainBootstrap, world.Kafka.BootstrapServers);
            world.Api.RunImage($"{Registry}/kafkademo-producer:*", launch => ContainerCommand.Service("KafkaDemo.Producer", launch, LoadDeployment.HttpPort, []));
            world.Api.RunImage($"{Registry}/kafkademo-consumer:*", launch => ContainerCommand.Service("KafkaDemo.Consumer", launch, LoadDeployment.HttpPort, [$"--Consumer:StateDirectory={Path.Combine(world.StateDirectory, "pods", launch.Pod)}"]));

            await using (var app = await world.StartAppAsync(Cluster))
            {
                // A failure carries what the cluster and the resources showed then.
                try
                {
                    await FakeCluster.WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.Running && FakeCluster.ReadyOf(s) == "1/1 ready", Deadline);
                    await FakeCluster.WaitForAsync(app, "consumer", s => s.State?.Text == KnownResourceStates.Running && FakeCluster.ReadyOf(s) == "1/1 ready", Deadline);

                    // Built as in k3d mode (hash tags), then tagged into the registry and pushed; k3d never ran.
                    var root = ServiceImages.FindRepositoryRoot(SharedReference.RepositoryRoot);
                    foreach (var (project, repository) in new[] { ("KafkaDemo.Producer", "kafkademo-producer"), ("KafkaDemo.Consumer", "kafkademo-consumer") })
                    {
                        var image = ServiceImages.For(root, project, repository);
                        var pushed = $"{Registry}/{image.Reference}";
                        Assert.Contains(world.Tools.Calls, c => c.StartsWith("docker build ", StringComparison.Ordinal) && c.Contains($"--tag {image.Reference} ", StringComparison.Ordinal));
                        Assert.Contains($"docker tag {image.Reference} {pushed}", world.Tools.Calls);
                        Assert.Contains($"docker push {pushed}", world.Tools.Calls);
                        Assert.Contains(pushed, world.Tools.Pushed);
                        var deployment = world.Api.AppliedObjects.Last(a => (string?)a.Configuration["kind"] == "Deployment" && a.Name == repository["kafkademo-".Length..]).Configuration;
                        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
                        Assert.Equal(pushed, (string?)container["image"]);
                        Assert.Equal("IfNotPresent", (string?)container["imagePullPolicy"]);
                        Assert.Equal(LoadDeployment.Namespace, world.Api.AppliedObjects.Last(a => a.Name == repository["kafkademo-".Length..] && (string?)a.Configuration["kind"] == "Deployment").Namespace);
                    }

                    Assert.DoesNotContain(world.Tools.Calls, c => c.StartsWith("k3d ", StringComparison.Ordinal));

                    // The pods' Kafka: the Kafka resource's internal plain listener, from its status.
                    var settings = world.Api.AppliedObjects.Last(a => (string?)a.Configuration["kind"] == "ConfigMap" && a.Name == "load-settings").Configuration["data"]!;
                    Assert.Equal(FakeCluster.PlainBootstrap, (string?)settings["ConnectionStrings__kafka"]);

                    // The Overseer's Role and RoleBinding in the load's namespace, as in k3d mode.
                    Assert.Contains(world.Api.AppliedObjects, a => a.Namespace == LoadDeployment.Namespace && (string?)a.Configuration["kind"] == "Role");
                    Assert.Contains(world.Api.AppliedObjects, a => a.Namespace == LoadDeployment.Namespace && (string?)a.Configuration["kind"] == "RoleBinding");

                    // No telemetry forwarding (no k3d network to listen on): said once per resource, no OTLP endpoint in the pods.
                    var producerLog = await FakeCluster.LogsAsync(app, "producer");
                    Assert.Single(producerLog.Split('\n'), l => l.Contains("The pods send no telemetry", StringComparison.Ordinal));
                    var env = world.Api.AppliedObjects.Last(a => (string?)a.Configuration["kind"] == "Deployment" && a.Name == LoadDeployment.Producer)
                        .Configuration["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();
                    Assert.DoesNotContain(env, e => ((string?)e!["name"])?.StartsWith("OTEL_EXPORTER_OTLP", StringComparison.Ordinal) == true);

                    // End to end: the Overseer, finding the pods through the API server, shows messages verified intact.
                    using var overseer = app.CreateHttpClient("overseer");
                    overseer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestApp.ControlToken);
                    OverseerSummary? summary = null;
                    await Eventually.TrueAsync(
                        async () => (summary = await overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", Token)) is { Consumer.Verified: > 0, Producer.Instances: 1, Consumer.Instances: 1 },
                        Deadline,
                        () => $"No messages verified from the pods. Summary: {JsonSerializer.Serialize(summary)}");
                    Assert.Equal(0, summary!.Consumer.Gaps);
                    Assert.Equal(0, summary.Consumer.Duplicates);
                    Assert.Equal(0, summary.Consumer.IntegrityFailures);
                    Assert.All(summary.Instances, i => Assert.Equal($"pod {LoadDeployment.Namespace}/{i.Name}:{LoadDeployment.HttpPort} (API server proxy)", i.Address));
                }
                catch (Exception ex) when (ex is Xunit.Sdk.IAssertionException || (ex is OperationCanceledException && !Token.IsCancellationRequested))
                {
                    throw new Xunit.Sdk.XunitException($"{ex.Message}\n\n{await LoadEvidence.DescribeAsync(app, world.Api)}", ex);
                }
            }

            processes = [.. world.Api.ContainerProcesses];
        }

        // Every process the fake's kubelet started (one producer pod, one consumer pod) is gone with it.
        Assert.Equal(2, processes.Count);
        Assert.All(processes, p => Assert.True(p.HasExited, $"{p.Pod}'s process (pid {p.ProcessId}) outlived the fake cluster."));
    }

    [Fact]
    public async Task A_registry_that_refuses_the_push_fails_the_Deployment_with_dockers_message()
    {
        await using var world = await ExistingClusterWorld.StartAsync();
        await world.InstallStrimziCrdsAsync();
        world.AddReadyKafka();
        using var topicOperator = world.SimulateTopicOperator();
        world.Tools.DeniedRegistries.Add("registry.example.com:5000");

        await using var app = await world.StartAppAsync(Cluster);
        await FakeCluster.WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.FailedToStart, Deadline);
        Assert.Contains("denied: requested access to the resource is denied", await FakeCluster.LogsAsync(app, "producer"), StringComparison.Ordinal);
        Assert.Empty(world.Tools.Pushed);
        Assert.DoesNotContain(world.Api.AppliedObjects, a => (string?)a.Configuration["kind"] == "Deployment");
    }

    /// <summary>
    /// KafkaDemo:External:ImagePullSecret names a Secret the user makes in kafkademo-load (the AppHost never
    /// holds a registry login): missing, or of a type the kubelet does not pull with (kubernetes
    /// pkg/credentialprovider/secrets/secrets.go MakeDockerKeyring takes kubernetes.io/dockerconfigjson and
    /// kubernetes.io/dockercfg only), the Deployment fails before it is applied, with the key and the kubectl command.
    /// </summary>
    [Theory]
    [InlineData(null, "names the Secret kafkademo-load/registry-login, and there is none")]
    [InlineData("Opaque", "names the Secret kafkademo-load/registry-login, which is of type Opaque: the kubelet pulls only with a kubernetes.io/dockerconfigjson Secret")]
    public async Task An_image_pull_secret_that_is_missing_or_no_docker_registry_Secret_fails_the_Deployment_naming_the_key_and_the_command(string? type, string expected)
    {
        await using var world = await ExistingClusterWorld.StartAsync();
        await world.InstallStrimziCrdsAsync();
        world.AddReadyKafka();
        using var topicOperator = world.SimulateTopicOperator();
        if (type is not null)
        {
            PutPullSecret(world.Api, type, ".dockerconfigjson");
        }

        await using var app = await world.StartAppAsync([.. Cluster, "--KafkaDemo:External:ImagePullSecret=registry-login"]);
        await FakeCluster.WaitForAsync(app, "producer", s => s.State?.Text == KnownResourceStates.FailedToStart, Deadline);
        var log = await FakeCluster.LogsAsync(app, "producer");
        Assert.Contains($"KafkaDemo:External:ImagePullSecret {expected}", log, StringComparison.Ordinal);
        Assert.Contains("kubectl -n kafkademo-load create secret docker-registry registry-login --docker-server=registry.example.com:5000 --docker-username=<user> --docker-password=<password>", log, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Api.AppliedObjects, a => (string?)a.Configuration["kind"] == "Deployment");
    }

    /// <summary>With the Secret there (as <c>kubectl create secret docker-registry</c> makes it), both Deployments' pod templates pull with it.</summary>
    [Fact]
    public async Task An_image_pull_secret_that_exists_is_named_in_both_pod_templates()
    {
        await using var world = await ExistingClusterWorld.StartAsync();
        await world.InstallStrimziCrdsAsync();
        world.AddReadyKafka();
        using var topicOperator = world.SimulateTopicOperator();
        PutPullSecret(world.Api, "kubernetes.io/dockerconfigjson", ".dockerconfigjson");

        await using var app = await world.StartAppAsync([.. Cluster, "--KafkaDemo:External:ImagePullSecret=registry-login"]);
        await Eventually.TrueAsync(
            () => Task.FromResult(new[] { LoadDeployment.Producer, LoadDeployment.Consumer }.All(d => world.Api.AppliedObjects.Any(a => (string?)a.Configuration["kind"] == "Deployment" && a.Name == d))),
            Deadline, "The Deployments were not applied.");
        foreach (var name in new[] { LoadDeployment.Producer, LoadDeployment.Consumer })
        {
            var deployment = world.Api.Get<k8s.Models.V1Deployment>(ResourceType.Deployments, LoadDeployment.Namespace, name)!;
            Assert.Equal(["registry-login"], deployment.Spec.Template.Spec.ImagePullSecrets.Select(s => s.Name));
        }
    }

    /// <summary>A Secret in the load's namespace as the user makes it; the namespace too, since the AppHost has not made it yet.</summary>
    private static void PutPullSecret(FakeKubernetesApi api, string type, string key)
    {
        api.Put(new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = LoadDeployment.Namespace },
        });
        api.Put(new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "registry-login", ["namespace"] = LoadDeployment.Namespace },
            ["type"] = type,
            ["data"] = new System.Text.Json.Nodes.JsonObject
            {
                [key] = Convert.ToBase64String("""{"auths":{"registry.example.com:5000":{"username":"u","password":"p","auth":"dTpw"}}}"""u8),
            },
        });
    }
}
