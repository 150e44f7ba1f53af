using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KafkaDemo.DeploymentContract.Load;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.IntegrationTests.Cluster;

/// <summary>
/// Issue 17's load in the fake cluster: <c>kubectl apply -k deploy/load</c> against the fake, the two Secrets
/// created, and the images run as the real Producer and Consumer processes with the environment the kubelet
/// computes from the manifests (the Kafka bootstrap name mapped to the embedded cluster). Pods become Ready
/// through their real /health probes, the headless Services' EndpointSlices list them, the pod proxy reaches
/// each pod's /api/stats, a scale of producers 1 → 3 → 2 changes pods, slices and processes, and the pods'
/// logs are the processes' output.
/// </summary>
public sealed class LoadInFakeClusterTests : IClassFixture<EmbeddedCluster>, IDisposable
{
    private const string Bootstrap = "kafkademo-kafka-bootstrap.kafka.svc:9092";
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);
    private readonly EmbeddedCluster embedded;
    private readonly string state = Directory.CreateTempSubdirectory("fake-cluster-load-").FullName;

    public LoadInFakeClusterTests(EmbeddedCluster embedded)
    {
        this.embedded = embedded;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_load_applied_to_the_fake_runs_as_real_processes_that_are_probed_discovered_proxied_scaled_and_logged()
    {
        var kubectl = ExternalTool.Find("kubectl");
        Assert.SkipWhen(kubectl is null, "kubectl is not installed (it applies deploy/load as a user would).");
        foreach (var topic in new[] { "orders", "clicks" })
        {
            embedded.Cluster.CreateTopic(topic, 6, 3);
        }

        await using var fake = await FakeKubernetesApi.StartAsync(cancellationToken: Token);
        var kubeconfig = Path.Combine(state, "kubeconfig");
        fake.WriteKubeconfig(kubeconfig);
        using var client = fake.CreateClient();
        fake.AddClusterDns(Bootstrap, embedded.BootstrapServers);
        fake.RunImage("kafkademo-producer:*", launch => ContainerCommand.Service("KafkaDemo.Producer", launch, LoadDeployment.HttpPort, []));
        // The manifest's Consumer__StateDirectory (/tmp/kafkademo/consumer) is in the pod's own emptyDir; on the
        // shared host each pod gets a directory of its own instead, by a command-line setting (which wins over env).
        fake.RunImage("kafkademo-consumer:*", launch => ContainerCommand.Service("KafkaDemo.Consumer", launch, LoadDeployment.HttpPort, [$"--Consumer:StateDirectory={Path.Combine(state, launch.Pod)}"]));

        // As a user on any cluster: the manifests, then one producer and one consumer to begin with (two cores).
        await KubectlAsync(kubectl!, kubeconfig, "apply", "--server-side", "-k", Path.Combine(Repository.Root, "deploy/load"));
        foreach (var (name, key) in new[] { (LoadDeployment.HmacSecretName, LoadDeployment.HmacSecretKey), (LoadDeployment.ControlSecretName, LoadDeployment.ControlSecretKey) })
        {
            await client.CoreV1.CreateNamespacedSecretAsync(
                new V1Secret { Metadata = new V1ObjectMeta { Name = name }, StringData = new Dictionary<string, string> { [key] = $"{name}-integration-test-value" } },
                LoadDeployment.Namespace,
                cancellationToken: Token);
        }

        await KubectlAsync(kubectl!, kubeconfig, "scale", "deployment", LoadDeployment.Producer, "--replicas=1", "-n", LoadDeployment.Namespace);
        await KubectlAsync(kubectl!, kubeconfig, "scale", "deployment", LoadDeployment.Consumer, "--replicas=1", "-n", LoadDeployment.Namespace);
        using var controllers = fake.DeploymentsRunPods();

        var consumers = await ReadyPodsAsync(client, LoadDeployment.Consumer, 1);
        var producers = await ReadyPodsAsync(client, LoadDeployment.Producer, 1);
        await SlicesListAsync(client, LoadDeployment.Consumer, consumers);
        await SlicesListAsync(client, LoadDeployment.Producer, producers);

        // Each pod's /api/stats through the API server's pod proxy; messages flow end to end.
        await Eventually.TrueAsync(
            async () => (await StatsAsync(client, producers[0]))["sent"]?.GetValue<long>() > 0 && (await StatsAsync(client, consumers[0]))["verified"]?.GetValue<long>() > 0,
            Deadline,
            "No message went from the producer pod through the embedded Kafka to the consumer pod.");

        // Scale producers 1 -> 3 -> 2: pods, slices and processes follow.
        await ScaleAsync(client, 3);
        producers = await ReadyPodsAsync(client, LoadDeployment.Producer, 3);
        await SlicesListAsync(client, LoadDeployment.Producer, producers);
        Assert.All(producers, p => Assert.Single(fake.ContainerProcesses, r => r.Pod == p && !r.HasExited));
        foreach (var pod in producers)
        {
            Assert.NotNull((await StatsAsync(client, pod))["sent"]);
        }

        await ScaleAsync(client, 2);
        var remaining = await ReadyPodsAsync(client, LoadDeployment.Producer, 2);
        await SlicesListAsync(client, LoadDeployment.Producer, remaining);
        var removed = Assert.Single(producers.Except(remaining));
        await Eventually.TrueAsync(() => fake.ContainerProcesses.Single(r => r.Pod == removed).HasExited, Deadline, $"The process of the removed pod {removed} still runs.");

        // The pod's log is the process's output.
        await using var log = await client.CoreV1.ReadNamespacedPodLogAsync(remaining[0], LoadDeployment.Namespace, cancellationToken: Token);
        Assert.Contains("Now listening on: http://127.0.0.1:", await new StreamReader(log).ReadToEndAsync(Token), StringComparison.Ordinal);

        await client.AppsV1.DeleteNamespacedDeploymentAsync(LoadDeployment.Producer, LoadDeployment.Namespace, cancellationToken: Token);
        await client.AppsV1.DeleteNamespacedDeploymentAsync(LoadDeployment.Consumer, LoadDeployment.Namespace, cancellationToken: Token);
        await Eventually.TrueAsync(() => fake.ContainerProcesses.All(r => r.HasExited), Deadline, "A process outlived its Deployment.");
    }

    private static async Task KubectlAsync(string kubectl, string kubeconfig, params string[] arguments)
    {
        var (exitCode, _, error) = await ExternalTool.RunAsync(kubectl, ["--kubeconfig", kubeconfig, "--cache-dir", Path.Combine(Path.GetDirectoryName(kubeconfig)!, "cache"), .. arguments]);
        Assert.True(exitCode == 0, $"kubectl {string.Join(' ', arguments)} exited with {exitCode}: {error}");
    }

    private static Task<V1Scale> ScaleAsync(k8s.Kubernetes client, int replicas) =>
        client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch(new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } }.ToJsonString(), V1Patch.PatchType.MergePatch), LoadDeployment.Producer, LoadDeployment.Namespace, cancellationToken: Token);

    private static async Task<IReadOnlyList<string>> ReadyPodsAsync(k8s.Kubernetes client, string deployment, int count)
    {
        IList<V1Pod> pods = [];
        await Eventually.TrueAsync(
            async () =>
            {
                pods = (await client.CoreV1.ListNamespacedPodAsync(LoadDeployment.Namespace, labelSelector: LoadDeployment.PodSelector(deployment), cancellationToken: Token)).Items;
                return pods.Count == count && pods.All(p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
            },
            Deadline,
            () => $"{deployment}: {count} ready pods never came. Pods: {KubernetesJson.Serialize(pods.Select(p => p.Status))}");
        return [.. pods.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal)];
    }

    private static Task SlicesListAsync(k8s.Kubernetes client, string service, IReadOnlyList<string> pods) =>
        Eventually.TrueAsync(
            async () =>
            {
                var slices = await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(LoadDeployment.Namespace, labelSelector: $"kubernetes.io/service-name={service}", cancellationToken: Token);
                var ready = slices.Items.SelectMany(s => s.Endpoints ?? []).Where(e => e.Conditions.Ready == true).Select(e => e.TargetRef.Name).Order(StringComparer.Ordinal);
                return ready.SequenceEqual(pods) && slices.Items.All(s => s.Ports?.SingleOrDefault() is { Port: LoadDeployment.HttpPort, Name: LoadDeployment.HttpPortName });
            },
            Deadline,
            $"The {service} EndpointSlices never listed exactly the ready pods {string.Join(", ", pods)}.");

    private static async Task<JsonObject> StatsAsync(k8s.Kubernetes client, string pod)
    {
        await using var stream = await client.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync($"{pod}:{LoadDeployment.HttpPort}", LoadDeployment.Namespace, "api/stats", cancellationToken: Token);
        return JsonNode.Parse(await new StreamReader(stream).ReadToEndAsync(Token))!.AsObject();
    }

    public void Dispose() => Directory.Delete(state, recursive: true);
}
