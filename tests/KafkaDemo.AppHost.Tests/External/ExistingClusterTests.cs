using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using KafkaDemo.AppHost.Tests.K3d;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaDemo.AppHost.Tests.External;

/// <summary>
/// The whole AppHost in external mode with an existing cluster (KafkaDemo:External:Kubeconfig),
/// against the fake Kubernetes API server and an embedded Kafka behind the Kafka resource's status.
/// What ran for real: the AppHost, KubernetesClient (HTTPS, bearer token, RBAC on the fake), the
/// producer, consumer and Overseer, and the Kafka protocol. The cluster is never created, no operator
/// is installed, docker and k3d are never run, and the user's kubeconfig is never written.
/// </summary>
public sealed class ExistingClusterTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task With_Strimzi_and_a_Ready_Kafka_the_app_verifies_messages_and_creates_no_cluster_and_installs_no_operator()
    {
        await using var world = await ExistingClusterWorld.StartAsync();
        await world.InstallStrimziCrdsAsync();
        world.AddReadyKafka();
        var userKubeconfig = await File.ReadAllTextAsync(world.UserKubeconfig, TestContext.Current.CancellationToken);
        var writesBefore = world.Writes.Count;

        await using var app = await world.StartAppAsync("--KafkaDemo:Rate=1000", "--KafkaDemo:Controller:Enabled=false");
        await FakeCluster.WaitForAsync(app, "cluster", s => s.State?.Text == KnownResourceStates.Running);
        await FakeCluster.WaitForAsync(app, "kafka", s => s.State?.Text == KnownResourceStates.Running);

        using var consumer = app.CreateHttpClient("consumer");
        ConsumerStats? stats = null;
        await Eventually.TrueAsync(async () =>
        {
            stats = await consumer.GetFromJsonAsync<ConsumerStats>("/api/stats", TestContext.Current.CancellationToken);
            return stats is { Verified: >= 2000 };
        }, Deadline, "Fewer than 2000 messages were verified through the existing cluster's Kafka.");
        Assert.Equal(0, stats!.IntegrityFailures.Total);
        Assert.Equal(0, stats.Gaps);
        Assert.Equal(0, stats.Duplicates);

        // The bootstrap servers came from the Kafka's status: its nodeport listener without TLS.
        var kafka = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == "kafka");
        Assert.Equal(world.Kafka.BootstrapServers, await kafka.GetConnectionStringAsync(TestContext.Current.CancellationToken));
        var clusterLog = await FakeCluster.LogsAsync(app, "cluster");
        Assert.Contains("Strimzi's CRDs are installed, Established and serve kafka.strimzi.io/v1: kafkas.kafka.strimzi.io, kafkanodepools.kafka.strimzi.io, kafkatopics.kafka.strimzi.io.", clusterLog, StringComparison.Ordinal);

        // The agent has no image an existing cluster can pull: it says so and does not start.
        await FakeCluster.WaitForAsync(app, "vibectl", s => s.State?.Text == KnownResourceStates.FailedToStart);
        Assert.Contains("KafkaDemo:External:AgentImage", await FakeCluster.LogsAsync(app, "vibectl"), StringComparison.Ordinal);

        // What the AppHost wrote: only the Overseer's identity (k3d/overseer and the agent's namespace it has a Role in), all by server-side apply.
        var applied = world.Api.AppliedObjects;
        Assert.All(applied, a => Assert.Equal("kafkademo", a.FieldManager));
        var kinds = applied.Select(a => (string)a.Configuration["kind"]!).ToHashSet();
        Assert.Subset(new HashSet<string> { "Namespace", "ServiceAccount", "Role", "RoleBinding" }, kinds);
        Assert.DoesNotContain(applied, a => (string?)a.Configuration["kind"] == "Namespace" && (string?)a.Configuration["metadata"]!["name"] is "kafka" or "strimzi");
        var writes = world.Writes.Skip(writesBefore).ToList();
        Assert.DoesNotContain(writes, w => w.Path.Contains("customresourcedefinitions", StringComparison.Ordinal));
        Assert.DoesNotContain(writes, w => w.Path.Contains("/deployments", StringComparison.Ordinal));
        Assert.DoesNotContain(writes, w => w.Path.Contains("kafka.strimzi.io", StringComparison.Ordinal));
        Assert.DoesNotContain(writes, w => w.Path.Contains("clusterrole", StringComparison.Ordinal));
        Assert.Empty(world.Tools.Calls);

        // The user's kubeconfig is untouched; the Overseer's own is in the AppHost's state folder, private, with the Overseer's token only.
        Assert.Equal(userKubeconfig, await File.ReadAllTextAsync(world.UserKubeconfig, TestContext.Current.CancellationToken));
        var overseerKubeconfig = Path.Combine(world.StateDirectory, "cluster-overseer.kubeconfig");
        Assert.True(File.Exists(overseerKubeconfig), "The Overseer's kubeconfig was not written to the AppHost's state folder.");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(overseerKubeconfig));
        }

        var adminToken = System.Text.RegularExpressions.Regex.Match(userKubeconfig, @"token: (\S+)").Groups[1].Value;
        Assert.NotEmpty(adminToken);
        Assert.DoesNotContain(adminToken, await File.ReadAllTextAsync(overseerKubeconfig, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_Strimzi_s_CRDs_the_cluster_and_kafka_fail_plainly_and_nothing_is_created_or_installed()
    {
        await using var world = await ExistingClusterWorld.StartAsync();

        await using var app = await world.StartAppAsync();
        await FakeCluster.WaitForAsync(app, "cluster", s => s.State?.Text == KnownResourceStates.FailedToStart);
        await FakeCluster.WaitForAsync(app, "kafka", s => s.State?.Text == KnownResourceStates.FailedToStart);

        var log = await FakeCluster.LogsAsync(app, "cluster");
        Assert.Contains($"Strimzi's CRDs are not installed in context {ExistingClusterWorld.ContextName} of {world.UserKubeconfig}: "
            + "kafkas.kafka.strimzi.io, kafkanodepools.kafka.strimzi.io, kafkatopics.kafka.strimzi.io missing.", log, StringComparison.Ordinal);
        Assert.Contains("Install Strimzi 1.2.0 (https://github.com/strimzi/strimzi-kafka-operator/releases/tag/1.2.0", log, StringComparison.Ordinal);
        Assert.Contains("or use KafkaDemo:Mode=k3d", log, StringComparison.Ordinal);
        Assert.Contains("The cluster is not available", await FakeCluster.LogsAsync(app, "kafka"), StringComparison.Ordinal);

        // The API server answered each CRD read with its NotFound status; nothing was written, docker and k3d never ran.
        Assert.Contains(world.Api.Requests, r => r.Method == "GET" && r.Path == "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/kafkas.kafka.strimzi.io");
        Assert.Empty(world.Writes);
        Assert.Empty(world.Api.AppliedObjects);
        Assert.Empty(world.Tools.Calls);
    }

    [Fact]
    public async Task A_user_who_may_not_read_CRDs_is_told_so_plainly()
    {
        // A user RBAC grants nothing beyond the bootstrap roles (/version is system:public-info-viewer's).
        await using var world = await ExistingClusterWorld.StartAsync();
        world.Api.Put(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = new JsonObject { ["name"] = "viewer", ["namespace"] = "default" } });
        var token = world.Api.IssueServiceAccountToken("default", "viewer");
        world.Api.WriteKubeconfig(world.UserKubeconfig, ExistingClusterWorld.ContextName, token);
        await world.InstallStrimziCrdsAsync();

        await using var app = await world.StartAppAsync();
        await FakeCluster.WaitForAsync(app, "cluster", s => s.State?.Text == KnownResourceStates.FailedToStart);
        var log = await FakeCluster.LogsAsync(app, "cluster");
        Assert.Contains("the kubeconfig's user may not read CustomResourceDefinitions (", log, StringComparison.Ordinal);
        Assert.Contains("403", log, StringComparison.Ordinal);
        Assert.Contains("Grant it get on customresourcedefinitions.apiextensions.k8s.io", log, StringComparison.Ordinal);
        Assert.DoesNotContain("not installed", log, StringComparison.Ordinal);
        Assert.Contains(world.Api.Requests, r => r.Path.StartsWith("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/", StringComparison.Ordinal)
            && r.User == "system:serviceaccount:default:viewer");
    }

    [Fact]
    public async Task With_the_CRDs_but_no_Kafka_resource_kafka_fails_naming_it_and_the_keys()
    {
        await using var world = await ExistingClusterWorld.StartAsync();
        await world.InstallStrimziCrdsAsync();

        await using var app = await world.StartAppAsync("--KafkaDemo:External:Namespace=streaming", "--KafkaDemo:External:KafkaName=main");
        await FakeCluster.WaitForAsync(app, "cluster", s => s.State?.Text == KnownResourceStates.Running);
        await FakeCluster.WaitForAsync(app, "kafka", s => s.State?.Text == KnownResourceStates.FailedToStart);
        var log = await FakeCluster.LogsAsync(app, "kafka");
        Assert.Contains($"Kafka streaming/main is not in context {ExistingClusterWorld.ContextName} of {world.UserKubeconfig}", log, StringComparison.Ordinal);
        Assert.Contains("KafkaDemo:External:Namespace and KafkaDemo:External:KafkaName", log, StringComparison.Ordinal);
        Assert.Empty(world.Writes);
        Assert.Empty(world.Tools.Calls);
    }
}
