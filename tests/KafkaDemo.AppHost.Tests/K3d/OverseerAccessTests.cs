using System.Net;
using System.Net.Http.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.AppHost.OverseerIdentity;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// The whole app in k3d mode against the fake cluster, whose RBAC judges every identity outside
/// system:masters: the Overseer works as its own service account (k3d/overseer) with the token the
/// AppHost requested, is never refused anything it does, and is refused what its Roles do not grant.
/// </summary>
[Collection(SharedAgentApp.Name)]
public sealed class OverseerAccessTests(AgentApp fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The user agent of this test's own requests with the Overseer's token.</summary>
    private const string ProbeAgent = "kafkademo-tests/overseer-access";

    private FakeCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Every_call_the_Overseer_makes_is_made_as_its_own_service_account_and_none_is_refused()
    {
        SharedReference.RequireK8sReference();

        // What the Overseer does: a round (pod lookup, exec), a reset (read, patch), and its watch all along.
        var rounds = (await SummaryAsync()).Agent.Rounds;
        Assert.Equal(HttpStatusCode.Accepted, (await fixture.Overseer.PostAsync("/api/agent/run", null, Token)).StatusCode);
        await Eventually.TrueAsync(async () => (await SummaryAsync()).Agent is { } agent && agent.Rounds > rounds && agent.LastRun is { Result: not null },
            Deadline, "The agent round did not end.");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Overseer.PutAsJsonAsync("/api/cluster/broker-config", new BrokerConfigReset("modest"), Token)).StatusCode);

        var overseer = Cluster.Api.Requests.Where(r => r.User == OverseerManifests.UserName && r.UserAgent != ProbeAgent).ToList();
        Assert.DoesNotContain(overseer, r => r.StatusCode is 401 or 403);
        foreach (var (method, path, watch) in new[]
        {
            ("GET", "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkas/kafkademo", false),
            ("GET", "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkas", true),
            ("PATCH", "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkas/kafkademo", false),
            ("GET", "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkanodepools/dual", false),
            ("GET", "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkanodepools", true),
            ("GET", "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkatopics", false),
            ("GET", "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkatopics", true),
            ("GET", "/api/v1/namespaces/kafka/pods", false),
            ("GET", "/apis/apps/v1/namespaces/kafkademo-agent/deployments/vibectl", false),
            ("GET", "/api/v1/namespaces/kafkademo-agent/pods", false),
        })
        {
            Assert.True(overseer.Any(r => r.Method == method && r.Path == path && IsWatch(r) == watch && r.StatusCode is null or (>= 200 and < 300)),
                $"The Overseer made no successful {method} {path}{(watch ? " (watch)" : "")} as {OverseerManifests.UserName}.");
        }

        // It never acts as the admin: every exec (only the Overseer execs) and every patch it makes carry its identity.
        var execs = Cluster.Api.Requests.Where(r => r.Path.EndsWith("/exec", StringComparison.Ordinal) && r.UserAgent != ProbeAgent).ToList();
        Assert.NotEmpty(execs);
        Assert.All(execs, r => Assert.Equal((OverseerManifests.UserName, 101), (r.User, r.StatusCode ?? 101)));
        Assert.All(Cluster.Api.Requests.Where(r => r.FieldManager == "kafkademo-overseer"), r => Assert.Equal(OverseerManifests.UserName, r.User));
    }

    [Fact]
    public async Task The_Overseers_kubeconfig_holds_only_its_token_and_the_fake_refuses_what_its_Roles_do_not_grant()
    {
        SharedReference.RequireK8sReference();
        var path = Cluster.Test.OverseerKubeconfigPath;
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        Assert.Null(configuration.ClientCertificateData);
        using var client = new k8s.Kubernetes(configuration);

        // Its own user agent, so the other test here can tell these requests from the Overseer's.
        client.HttpClient.DefaultRequestHeaders.UserAgent.Clear();
        client.HttpClient.DefaultRequestHeaders.UserAgent.ParseAdd(ProbeAgent);

        // What it may: read the Kafka resource.
        var kafka = await client.CustomObjects.GetNamespacedCustomObjectAsync<System.Text.Json.Nodes.JsonObject>("kafka.strimzi.io", "v1", "kafka", "kafkas", "kafkademo", Token);
        Assert.Equal("kafkademo", (string?)kafka["metadata"]!["name"]);

        var user = OverseerManifests.UserName;
        await RefusedAsync(() => client.CoreV1.ListNamespacedSecretAsync("kafka", cancellationToken: Token),
            $"secrets is forbidden: User \"{user}\" cannot list resource \"secrets\" in API group \"\" in the namespace \"kafka\"");
        await RefusedAsync(() => client.CoreV1.ReadNamespacedSecretAsync("vibectl-llm", "kafkademo-agent", cancellationToken: Token),
            $"secrets \"vibectl-llm\" is forbidden: User \"{user}\" cannot get resource \"secrets\" in API group \"\" in the namespace \"kafkademo-agent\"");
        await RefusedAsync(() => Patch(client, "kafkanodepools", "dual", """{"spec":{"replicas":1}}"""),
            $"kafkanodepools.kafka.strimzi.io \"dual\" is forbidden: User \"{user}\" cannot patch resource \"kafkanodepools\" in API group \"kafka.strimzi.io\" in the namespace \"kafka\"");
        await RefusedAsync(() => Patch(client, "kafkatopics", "orders", """{"spec":{"config":{"retention.ms":1000}}}"""),
            $"kafkatopics.kafka.strimzi.io \"orders\" is forbidden: User \"{user}\" cannot patch resource \"kafkatopics\" in API group \"kafka.strimzi.io\" in the namespace \"kafka\"");
        await RefusedAsync(() => Patch(client, "kafkas", "another", """{"spec":{}}"""),
            $"kafkas.kafka.strimzi.io \"another\" is forbidden: User \"{user}\" cannot patch resource \"kafkas\" in API group \"kafka.strimzi.io\" in the namespace \"kafka\"");
        await RefusedAsync(() => client.CustomObjects.DeleteNamespacedCustomObjectAsync("kafka.strimzi.io", "v1", "kafka", "kafkas", "kafkademo", cancellationToken: Token),
            $"kafkas.kafka.strimzi.io \"kafkademo\" is forbidden: User \"{user}\" cannot delete resource \"kafkas\" in API group \"kafka.strimzi.io\" in the namespace \"kafka\"");
        await RefusedAsync(() => client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":0}}""", V1Patch.PatchType.MergePatch), "vibectl", "kafkademo-agent", cancellationToken: Token),
            $"deployments.apps \"vibectl\" is forbidden: User \"{user}\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"kafkademo-agent\"");
        await RefusedAsync(() => client.CoreV1.ListNamespacedPodAsync("kube-system", cancellationToken: Token),
            $"pods is forbidden: User \"{user}\" cannot list resource \"pods\" in API group \"\" in the namespace \"kube-system\"");

        // No exec into a broker: the WebSocket handshake is refused (1.32 authorizes it as get on pods/exec).
        await Assert.ThrowsAnyAsync<Exception>(() => client.WebSocketNamespacedPodExecAsync("kafkademo-dual-0", "kafka", ["sh", "-c", "id"], "kafka",
            stdin: false, tty: false, webSocketSubProtocol: "v5.channel.k8s.io",
            customHeaders: new Dictionary<string, List<string>> { ["User-Agent"] = [ProbeAgent] }, cancellationToken: Token));
        Assert.Contains(Cluster.Api.Requests, r => r.User == user && r.UserAgent == ProbeAgent && r.Path == "/api/v1/namespaces/kafka/pods/kafkademo-dual-0/exec" && r.StatusCode == 403);
    }

    private static bool IsWatch(RecordedRequest r) => r.QueryValues("watch").Any(v => v is "true" or "1");

    private static Task<object> Patch(k8s.Kubernetes client, string plural, string name, string patch) =>
        client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "kafka.strimzi.io", "v1", "kafka", plural, name,
            fieldManager: "kafkademo-overseer", cancellationToken: Token);

    /// <summary>The call is answered 403 with the API server's words for it.</summary>
    private static async Task RefusedAsync(Func<Task> call, string message)
    {
        var refused = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
        Assert.Equal(message, (string?)System.Text.Json.Nodes.JsonNode.Parse(refused.Response.Content)!["message"]);
    }

    private async Task<OverseerSummary> SummaryAsync() =>
        (await fixture.Overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", Token))!;
}
