using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>What the fake records, and the faults it injects, as a client sees them.</summary>
public sealed class RequestLogAndFaultTests
{
    [Fact]
    public async Task Each_request_is_recorded_with_the_identity_its_bearer_token_stands_for()
    {
        await using var cluster = await StartAsync();
        var token = cluster.Api.IssueServiceAccountToken("kafkademo-agent", "vibectl");

        await cluster.Client.CoreV1.ListNamespaceAsync(cancellationToken: Token);
        using (var agent = cluster.ClientFor(token))
        {
            // Authenticated, but nothing grants it pods: the 403 names the account.
            var forbidden = await Assert.ThrowsAsync<HttpOperationException>(() => agent.CoreV1.ListNamespacedPodAsync("kafka", cancellationToken: Token));
            Assert.Contains("User \"system:serviceaccount:kafkademo-agent:vibectl\" cannot list", Parse(forbidden.Response.Content)["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        using (var stranger = cluster.ClientFor("not-issued"))
        {
            var refused = await Assert.ThrowsAsync<HttpOperationException>(() => stranger.CoreV1.ListNamespacedConfigMapAsync("kafka", cancellationToken: Token));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.Response.StatusCode);
        }

        using (var answer = await cluster.Client.HttpClient.GetAsync(new Uri(cluster.Api.BaseAddress, "api/v1/namespaces/kafka/secrets"), Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }

        var admin = cluster.Api.Requests.Single(r => r.Path == "/api/v1/namespaces");
        Assert.Equal("system:admin", admin.User);
        Assert.Equal(["system:masters", "system:authenticated"], admin.Identity!.Groups);
        Assert.Null(admin.Identity.ServiceAccount);
        var asAgent = cluster.Api.Requests.Single(r => r.Path == "/api/v1/namespaces/kafka/pods");
        Assert.Equal("system:serviceaccount:kafkademo-agent:vibectl", asAgent.User);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:kafkademo-agent", "system:authenticated"], asAgent.Identity!.Groups);
        Assert.Equal(new ServiceAccountRef("kafkademo-agent", "vibectl"), asAgent.Identity.ServiceAccount);
        var unknownToken = cluster.Api.Requests.Single(r => r.Path == "/api/v1/namespaces/kafka/configmaps");
        Assert.Null(unknownToken.Identity);
        Assert.Equal(401, unknownToken.StatusCode);
        var noToken = cluster.Api.Requests.Single(r => r.Path == "/api/v1/namespaces/kafka/secrets");
        Assert.Null(noToken.User);
        Assert.Equal(401, noToken.StatusCode);
        Assert.NotEqual(token, cluster.Api.IssueServiceAccountToken("kafkademo-agent", "vibectl"));
    }

    [Fact]
    public async Task Every_request_and_every_apply_is_recorded()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "Kafka", "kafkas");
        var configuration = Strimzi.Kafka("demo", "default");

        await Strimzi.ApplyAsync(cluster.Client, configuration, "kafkademo-apphost");
        await Strimzi.ApplyAsync(cluster.Client, configuration, "kafkademo-apphost", force: true);
        await cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync(Strimzi.Group, Strimzi.Version, "default", "kafkas", "demo", cancellationToken: Token);

        var patch = cluster.Api.Requests.First(r => r.Method == "PATCH" && r.Path.EndsWith("/kafkas/demo", StringComparison.Ordinal));
        Assert.Equal("/apis/kafka.strimzi.io/v1/namespaces/default/kafkas/demo", patch.Path);
        Assert.Equal("application/apply-patch+yaml", patch.ContentType?.Split(';')[0]);
        Assert.Equal("kafkademo-apphost", patch.FieldManager);
        Assert.Equal(["kafkademo-apphost"], patch.QueryValues("fieldManager"));
        Assert.Equal(3, Parse(patch.Body!)["spec"]!["kafka"]!["replicas"]!.GetValue<int>());
        Assert.Equal(201, patch.StatusCode);
        Assert.StartsWith("kubernetes-csharp", patch.UserAgent, StringComparison.Ordinal);
        var get = cluster.Api.Requests[^1];
        Assert.Equal(("GET", 200), (get.Method, get.StatusCode));

        var applies = cluster.Api.AppliedObjects.Where(a => a.Resource == Strimzi.Kafkas).ToArray();
        Assert.Equal([(false, 201), (true, 200)], applies.Select(a => (a.Force, a.StatusCode)));
        Assert.All(applies, a => Assert.Equal(("default", "demo", "kafkademo-apphost"), (a.Namespace, a.Name, a.FieldManager)));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(configuration, applies[0].Configuration));
    }

    [Fact]
    public async Task An_injected_error_answers_matching_requests_as_often_as_asked()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "Kafka", "kafkas");
        using var fault = cluster.Api.AddFault(FaultRule.Error("PATCH", "/apis/kafka.strimzi.io/v1/namespaces/default/kafkas/demo", HttpStatusCode.ServiceUnavailable, times: 2));

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var refused = await Assert.ThrowsAsync<HttpOperationException>(() => Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default"), "kafkademo-apphost"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Response.StatusCode);
            Assert.Equal("ServiceUnavailable", Parse(refused.Response.Content)["reason"]!.GetValue<string>());
        }

        await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("demo", "default"), "kafkademo-apphost");
        Assert.NotNull(cluster.Api.Get(Strimzi.Kafkas, "default", "demo"));
        Assert.Equal([503, 503, 201], cluster.Api.Requests.Where(r => r.Method == "PATCH" && r.Path.EndsWith("/demo", StringComparison.Ordinal)).Select(r => r.StatusCode ?? 0));
    }

    [Fact]
    public async Task A_removed_fault_no_longer_applies_and_a_prefix_matches_a_whole_group()
    {
        await using var cluster = await StartAsync();
        var fault = cluster.Api.AddFault(FaultRule.Error("*", "/api/v1/namespaces/default/*", HttpStatusCode.InternalServerError));

        var failed = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.InternalServerError, failed.Response.StatusCode);
        Assert.Equal("InternalError", Parse(failed.Response.Content)["reason"]!.GetValue<string>());
        await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("kube-system", cancellationToken: Token);

        fault.Dispose();
        await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Token);
    }

    [Fact]
    public async Task An_injected_delay_holds_the_answer_back()
    {
        await using var cluster = await StartAsync();
        var delay = TimeSpan.FromMilliseconds(400);
        using var fault = cluster.Api.AddFault(FaultRule.Latency("GET", "/api/v1/namespaces/default/configmaps", delay, times: 1));

        var watch = Stopwatch.StartNew();
        await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Token);
        var delayed = watch.Elapsed;

        Assert.True(delayed >= delay, $"The answer came after {delayed.TotalMilliseconds} ms.");
        Assert.Equal(200, cluster.Api.Requests.Single(r => r.Path == "/api/v1/namespaces/default/configmaps").StatusCode);
    }

    [Fact]
    public async Task A_kubeconfig_written_by_the_fake_names_its_context_and_server()
    {
        await using var cluster = await StartAsync();
        var path = Path.Combine(Path.GetDirectoryName(cluster.KubeconfigPath)!, "named");

        cluster.Api.WriteKubeconfig(path, "k3d-kafkademo");

        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        Assert.Equal("k3d-kafkademo", configuration.CurrentContext);
        Assert.Equal(cluster.Api.BaseAddress.GetLeftPart(UriPartial.Authority), configuration.Host.TrimEnd('/'));
        using var client = new k8s.Kubernetes(configuration);
        var namespaces = await client.CoreV1.ListNamespaceAsync(cancellationToken: Token);
        Assert.Equal(["default", "kube-node-lease", "kube-public", "kube-system"], namespaces.Items.Select(n => n.Metadata.Name));
        Assert.Equal("Active", namespaces.Items[0].Status.Phase);
        using var direct = new k8s.Kubernetes(cluster.Api.ClientConfiguration);
        Assert.Equal(namespaces.Items.Count, (await direct.CoreV1.ListNamespaceAsync(cancellationToken: Token)).Items.Count);
    }
}
