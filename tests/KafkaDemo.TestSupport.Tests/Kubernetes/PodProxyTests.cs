using System.Net;
using k8s;
using k8s.Autorest;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.Rbac;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>The pod proxy, as KubernetesClient and <c>kubectl get --raw</c> use it to read a broker's JMX exporter.</summary>
public sealed class PodProxyTests
{
    private const string Metrics = """
        # HELP kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent_total Attribute exposed for management
        # TYPE kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent_total untyped
        kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent_total 0.87
        """;

    [Fact]
    public async Task A_proxied_get_reaches_the_handler_for_the_pod_port_and_path_and_passes_the_answer_on()
    {
        var (cluster, _) = await Rbac.StartAsync();
        await using var _ = cluster;
        PutBroker(cluster.Api, phase: "Running", ip: "10.42.0.7");
        var seen = new List<PodProxyRequest>();
        cluster.Api.OnPodProxy(request =>
        {
            seen.Add(request);
            return Task.FromResult<PodProxyResponse?>(request.Port == 9404 && request.Path == "/metrics" ? PodProxyResponse.Prometheus(Metrics) : null);
        });

        await using (var stream = await cluster.Client.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync("kafka-0:9404", Namespace, "metrics", cancellationToken: Token))
        {
            Assert.Equal(Metrics, await new StreamReader(stream).ReadToEndAsync(Token));
        }

        // Without a port, the first container port the pod declares.
        await using (var stream = await cluster.Client.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync("kafka-0", Namespace, "metrics", cancellationToken: Token))
        {
            Assert.Equal(Metrics, await new StreamReader(stream).ReadToEndAsync(Token));
        }

        var first = seen[0];
        Assert.Equal(("kafka-0", Namespace, "10.42.0.7", 9404, "GET", "/metrics", ""), (first.Pod, first.Namespace, first.PodIP, first.Port, first.Method, first.Path, first.Scheme));
        Assert.Equal(9404, seen[1].Port);
        Assert.Equal(200, cluster.Api.Requests[^1].StatusCode);
    }

    [Fact]
    public async Task Kubectl_get_raw_reads_metrics_as_a_service_account_granted_get_on_pods_proxy()
    {
        var kubectl = KubectlTool.Find();
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        PutBroker(cluster.Api, phase: "Running", ip: "10.42.0.7");
        cluster.Api.OnPodProxy(request => Task.FromResult<PodProxyResponse?>(request.Port == 9404 ? PodProxyResponse.Prometheus(Metrics) : null));
        const string Raw = "/api/v1/namespaces/kafka/pods/kafka-0:9404/proxy/metrics";

        Assert.Equal(
            "Error from server (Forbidden): pods \"kafka-0:9404\" is forbidden: User \"system:serviceaccount:kafka:agent\" cannot get resource \"pods/proxy\" in API group \"\" in the namespace \"kafka\"",
            await KubectlTool.FailAsync(kubectl, cluster, "--token", token, "get", "--raw", Raw));

        // The port is part of the name RBAC sees: a rule for "kafka-0" alone does not allow "kafka-0:9404".
        Grant(cluster.Api, "bare-name", """[{"apiGroups":[""],"resources":["pods/proxy"],"resourceNames":["kafka-0"],"verbs":["get"]}]""");
        await KubectlTool.FailAsync(kubectl, cluster, "--token", token, "get", "--raw", Raw);

        Grant(cluster.Api, "metrics", """[{"apiGroups":[""],"resources":["pods/proxy"],"resourceNames":["kafka-0:9404"],"verbs":["get"]}]""");
        Assert.Equal(Metrics, await KubectlTool.RunAsync(kubectl, cluster, "--token", token, "get", "--raw", Raw));
        var request = cluster.Api.Requests[^1];
        Assert.Equal((UserName, Raw, 200), (request.User, request.Path, request.StatusCode));

        // Nothing listens on another port: the dial fails, and kubectl prints the API server's 503.
        Grant(cluster.Api, "any-port", """[{"apiGroups":[""],"resources":["pods/proxy"],"verbs":["get"]}]""");
        Assert.Equal(
            "Error from server (ServiceUnavailable): error trying to reach service: dial tcp 10.42.0.7:9999: connect: connection refused",
            await KubectlTool.FailAsync(kubectl, cluster, "--token", token, "get", "--raw", "/api/v1/namespaces/kafka/pods/kafka-0:9999/proxy/metrics"));
    }

    [Fact]
    public async Task A_pod_that_cannot_be_reached_gets_the_api_servers_errors()
    {
        var (cluster, _) = await Rbac.StartAsync();
        await using var _ = cluster;
        cluster.Api.OnPodProxy(_ => Task.FromResult<PodProxyResponse?>(PodProxyResponse.Prometheus(Metrics)));

        var missing = await ProxyErrorAsync(cluster, "ghost:9404", HttpStatusCode.NotFound);
        Assert.Equal("pods \"ghost\" not found", missing);
        Assert.Equal("invalid pod request \"http:kafka-0:9404:x\"", await ProxyErrorAsync(cluster, "http:kafka-0:9404:x", HttpStatusCode.BadRequest));
        Assert.Equal("invalid pod request \"ftp:kafka-0:9404\"", await ProxyErrorAsync(cluster, "ftp:kafka-0:9404", HttpStatusCode.BadRequest));

        PutBroker(cluster.Api, phase: "Pending", ip: null);
        Assert.Equal("address not allowed", await ProxyErrorAsync(cluster, "kafka-0:9404", HttpStatusCode.BadRequest));

        PutBroker(cluster.Api, phase: "Succeeded", ip: "10.42.0.7");
        Assert.Equal("error trying to reach service: dial tcp 10.42.0.7:9404: connect: connection refused", await ProxyErrorAsync(cluster, "kafka-0:9404", HttpStatusCode.ServiceUnavailable));

        PutBroker(cluster.Api, phase: "Running", ip: "10.42.0.7");
        Assert.Equal("error trying to reach service: dial tcp: lookup tcp/metrics: unknown port", await ProxyErrorAsync(cluster, "kafka-0:metrics", HttpStatusCode.ServiceUnavailable));
        await using var stream = await cluster.Client.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync("https:kafka-0:9404", Namespace, "metrics", cancellationToken: Token);
        Assert.Equal(Metrics, await new StreamReader(stream).ReadToEndAsync(Token));
    }

    private static void PutBroker(FakeKubernetesApi api, string phase, string? ip)
    {
        var status = ip is null ? $$"""{"phase":"{{phase}}"}""" : $$"""{"phase":"{{phase}}","podIP":"{{ip}}","podIPs":[{"ip":"{{ip}}"}]}""";
        api.Put(Parse($$"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"kafka-0","namespace":"kafka"},
             "spec":{"containers":[{"name":"kafka","image":"quay.io/strimzi/kafka","ports":[{"name":"tcp-prometheus","containerPort":9404}]}]},
             "status":{{status}}}
            """));
    }

    private static async Task<string> ProxyErrorAsync(FakeCluster cluster, string name, HttpStatusCode expected)
    {
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync(name, Namespace, "metrics", cancellationToken: Token));
        Assert.Equal(expected, refused.Response.StatusCode);
        return Parse(refused.Response.Content)["message"]!.GetValue<string>();
    }
}
