extern alias overseer;

using System.Text.Json.Nodes;
using KafkaDemo.IntegrationTests.Agent;
using KafkaDemo.TestSupport.Kubernetes;
using overseer::KafkaDemo.Overseer.BrokerMetrics;

namespace KafkaDemo.IntegrationTests.BrokerMetrics;

/// <summary>
/// The Overseer's broker-metrics reader through the real KubernetesClient against the fake Kubernetes
/// API: it lists the broker pods by Strimzi's labels and asks each for <c>/metrics</c> on port 9404
/// through the API server's pod proxy, and a broker that gives nothing is shown as such.
/// </summary>
public sealed class BrokerMetricsThroughThePodProxyTests
{
    private static readonly string[] Brokers = ["kafkademo-dual-0", "kafkademo-dual-1", "kafkademo-dual-2"];

    [Fact]
    public async Task Each_broker_pod_is_asked_for_its_metrics_on_port_9404_and_one_that_gives_none_is_shown_as_such()
    {
        await using var cluster = await AgentCluster.StartAsync();
        AddBrokerPods(cluster.Api);
        var reader = cluster.Get<BrokerMetricsReader>();

        await reader.ReadAllAsync(TestContext.Current.CancellationToken);

        // One GET per broker pod, of exactly the path kubectl get --raw uses for the same figures.
        var asked = cluster.Api.Requests.Where(r => r.Path.Contains("/proxy", StringComparison.Ordinal)).ToList();
        Assert.Equal(Brokers.Select(b => $"GET /api/v1/namespaces/kafka/pods/{b}:9404/proxy/metrics"), asked.Select(r => $"{r.Method} {r.Path}").Order(StringComparer.Ordinal));
        Assert.Contains(cluster.Api.Requests, r => r.Path == "/api/v1/namespaces/kafka/pods" && r.QueryValues("labelSelector").SequenceEqual(["strimzi.io/cluster=kafkademo,strimzi.io/kind=Kafka,strimzi.io/broker-role=true"]));

        // This fake has no pod proxy behind those pods yet: no broker answers with figures, each is
        // shown with the API server's answer, and nothing fails.
        var latest = cluster.Get<BrokerMetricsBoard>().Latest;
        Assert.NotNull(latest.At);
        Assert.Equal(Brokers, latest.Brokers.Select(b => b.Pod));
        Assert.Equal(0, latest.Answering);
        Assert.Null(latest.Cluster);
        Assert.All(latest.Brokers, b => Assert.Matches(@"^\d{3} \w+", b.Problem));
    }

    [Fact]
    public async Task The_brokers_figures_are_read_through_the_fake_pod_proxy()
    {
        // Waits for the fake's pod proxy: FakeKubernetesApi.OnPodProxy, written on branch apiserver
        // (PodProxyEndpoint: a Running pod with a global unicast status.podIPs[0], a handler per
        // request, null for "connection refused"). Once main has it, this test serves
        // JmxExporterText.Render(...) from two brokers, null from the third, and asserts the per-broker
        // figures, the cluster's (lowest idle, total queue, highest p99, total under-replicated) and
        // the third broker's 503 "error trying to reach service: ... connection refused".
        Assert.Skip(await Task.FromResult("The fake Kubernetes API on this branch has no pod proxy (FakeKubernetesApi.OnPodProxy is on branch apiserver, not yet on main)."));
    }

    /// <summary>The broker pods as Strimzi labels them, Running, each with a pod IP.</summary>
    internal static void AddBrokerPods(FakeKubernetesApi api)
    {
        for (var i = 0; i < Brokers.Length; i++)
        {
            api.Put(JsonNode.Parse($$$"""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{Brokers[i]}}}","namespace":"kafka",
                  "labels":{"strimzi.io/cluster":"kafkademo","strimzi.io/kind":"Kafka","strimzi.io/broker-role":"true","strimzi.io/pool-name":"dual"}},
                 "spec":{"containers":[{"name":"kafka","image":"quay.io/strimzi/kafka:1.2.0-kafka-4.3.1",
                   "ports":[{"name":"tcp-ctrlplane","containerPort":9090},{"name":"tcp-replication","containerPort":9091},{"name":"tcp-prometheus","containerPort":9404}]}]},
                 "status":{"phase":"Running","podIP":"10.42.0.{{{10 + i}}}","podIPs":[{"ip":"10.42.0.{{{10 + i}}}"}],"conditions":[{"type":"Ready","status":"True"}]}}
                """)!.AsObject());
        }
    }
}
