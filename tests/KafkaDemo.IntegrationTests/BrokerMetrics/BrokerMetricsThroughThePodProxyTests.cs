extern alias overseer;

using System.Text.Json.Nodes;
using KafkaDemo.IntegrationTests.Agent;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.BrokerMetrics;
using KafkaDemo.TestSupport.Kubernetes;
using overseer::KafkaDemo.Overseer.BrokerMetrics;

namespace KafkaDemo.IntegrationTests.BrokerMetrics;

/// <summary>
/// The Overseer's broker-metrics reader through the real KubernetesClient against the fake Kubernetes
/// API: it lists the broker pods by Strimzi's labels and asks each for <c>/metrics</c> on port 9404
/// through the API server's pod proxy, where the test plays each broker's JMX exporter (its text as
/// jmx_exporter 1.6.0 writes it); a broker that gives nothing is shown with why, and nothing the
/// cluster does stops the reader.
/// </summary>
public sealed class BrokerMetricsThroughThePodProxyTests
{
    private static readonly string[] Brokers = ["kafkademo-dual-0", "kafkademo-dual-1", "kafkademo-dual-2"];

    [Fact]
    public async Task Each_broker_is_read_through_the_pod_proxy_and_one_where_nothing_listens_is_shown_as_such()
    {
        await using var cluster = await AgentCluster.StartAsync();
        AddBrokerPods(cluster.Api);
        var served = new System.Collections.Concurrent.ConcurrentQueue<PodProxyRequest>();
        cluster.Api.OnPodProxy(request =>
        {
            served.Enqueue(request);
            return Task.FromResult(request switch
            {
                { Pod: "kafkademo-dual-0", Port: 9404, Path: "/metrics" } => PodProxyResponse.Prometheus(JmxExporterText.Render(new BrokerJmxValues(0.8734210981, 0.9312, 0, 12.5, 0))),
                { Pod: "kafkademo-dual-1", Port: 9404, Path: "/metrics" } => PodProxyResponse.Prometheus(JmxExporterText.Render(new BrokerJmxValues(0.2109, 0.612, 4, 48.25, 2))),
                _ => null, // kafkademo-dual-2: its exporter is not listening (yet)
            });
        });

        await cluster.Get<BrokerMetricsReader>().ReadAllAsync(TestContext.Current.CancellationToken);

        // One GET per broker pod, of exactly the path kubectl get --raw uses for the same figures.
        var asked = cluster.Api.Requests.Where(r => r.Path.Contains("/proxy", StringComparison.Ordinal)).ToList();
        Assert.Equal(Brokers.Select(b => $"GET /api/v1/namespaces/kafka/pods/{b}:9404/proxy/metrics"), asked.Select(r => $"{r.Method} {r.Path}").Order(StringComparer.Ordinal));
        Assert.All(served, r => Assert.Equal(("GET", 9404, "/metrics"), (r.Method, r.Port, r.Path)));
        Assert.Contains(cluster.Api.Requests, r => r.Path == "/api/v1/namespaces/kafka/pods"
            && r.QueryValues("labelSelector").SequenceEqual(["strimzi.io/cluster=kafkademo,strimzi.io/kind=Kafka,strimzi.io/broker-role=true"]));

        var latest = cluster.Get<BrokerMetricsBoard>().Latest;
        Assert.Equal(Brokers, latest.Brokers.Select(b => b.Pod));
        Assert.Equal(new BrokerFigures(0.8734210981, 0.9312, 0, 12.5, 0), latest.Brokers[0].Figures);
        Assert.Equal(new BrokerFigures(0.2109, 0.612, 4, 48.25, 2), latest.Brokers[1].Figures);
        Assert.Null(latest.Brokers[2].Figures);
        Assert.Equal("503 ServiceUnavailable: error trying to reach service: dial tcp 10.42.0.12:9404: connect: connection refused", latest.Brokers[2].Problem);
        Assert.Equal(2, latest.Answering);
        Assert.Equal(new BrokerFigures(0.2109, 0.612, 4, 48.25, 2), latest.Cluster);
        Assert.Null(latest.Problem);
    }

    [Fact]
    public async Task A_broker_that_answers_an_error_something_else_or_too_late_is_shown_with_why()
    {
        await using var cluster = await AgentCluster.StartAsync(keySet: true, "Overseer:BrokerMetrics:TimeoutSeconds=1");
        AddBrokerPods(cluster.Api);
        cluster.Api.OnPodProxy(async request => request.Pod switch
        {
            "kafkademo-dual-0" => new PodProxyResponse { StatusCode = 500, Body = "java.lang.IllegalStateException: JMXCollector waiting for startDelaySeconds" },
            "kafkademo-dual-1" => new PodProxyResponse { ContentType = "text/html", Body = "<html><body>Prometheus JMX Exporter</body></html>" },
            _ => await Hang(request.CancellationToken),
        });

        await cluster.Get<BrokerMetricsReader>().ReadAllAsync(TestContext.Current.CancellationToken);

        var problems = cluster.Get<BrokerMetricsBoard>().Latest.Brokers.Select(b => b.Problem).ToList();
        Assert.Equal("500 InternalServerError: java.lang.IllegalStateException: JMXCollector waiting for startDelaySeconds", problems[0]);
        Assert.Equal("not Prometheus text: line 1: expected a metric name", problems[1]);
        Assert.Equal("no answer within 1 s", problems[2]);
        Assert.Null(cluster.Get<BrokerMetricsBoard>().Latest.Cluster);

        static async Task<PodProxyResponse?> Hang(CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return null;
        }
    }

    [Fact]
    public async Task The_reader_survives_pods_that_cannot_be_listed_says_so_and_reads_again_once_they_can()
    {
        await using var cluster = await AgentCluster.StartAsync(keySet: true, "Overseer:BrokerMetrics:PollSeconds=1");
        AddBrokerPods(cluster.Api);
        cluster.Api.OnPodProxy(_ => Task.FromResult<PodProxyResponse?>(PodProxyResponse.Prometheus(JmxExporterText.Render(JmxExporterText.Typical))));
        var board = cluster.Get<BrokerMetricsBoard>();
        var reader = cluster.Get<BrokerMetricsReader>();
        using var fault = cluster.Api.AddFault(FaultRule.Error("GET", "/api/v1/namespaces/kafka/pods", System.Net.HttpStatusCode.ServiceUnavailable, times: 2));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        await reader.StartAsync(stop.Token);
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(board.Latest.Problem?.StartsWith("The broker pods could not be listed: 503 ServiceUnavailable", StringComparison.Ordinal) == true),
                TimeSpan.FromSeconds(30), "The failed listing was not reported.");
            await Eventually.TrueAsync(() => Task.FromResult(board.Latest is { Problem: null, Answering: 3 }), TimeSpan.FromSeconds(30), "The reader did not read the brokers again.");
        }
        finally
        {
            await reader.StopAsync(CancellationToken.None);
        }

        Assert.Equal(JmxExporterText.Typical.RequestHandlerIdle, board.Latest.Cluster!.RequestHandlerIdle);
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
