using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Placement;
using KafkaDemo.AppHost.Tests.Deploy;
using KafkaDemo.DeploymentContract.Load;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaDemo.AppHost.Tests.Placement;

/// <summary>
/// A re-apply of a load Deployment (Kafka ran again, the AppHost restarted) races a scale (a dashboard
/// command, <c>kubectl scale</c>): the AppHost reads the Deployment, and while its apply still owns
/// spec.replicas it applies the count it read. A scale that lands between that read and the apply must
/// survive: the apply carries the read's resourceVersion, the fake refuses it with 409 as the API server
/// does, and it is read again, now owned by the scale, and applied without replicas.
/// </summary>
public sealed class DeploymentReapplyTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly string DeploymentPath = $"/apis/apps/v1/namespaces/{LoadDeployment.Namespace}/deployments/{LoadDeployment.Producer}";

    [Fact]
    public async Task A_scale_between_the_read_and_the_apply_survives_the_apply()
    {
        await using var fake = await FakeKubernetesApi.StartAsync(cancellationToken: Token);
        using var api = new KubernetesApi(fake.CreateClient());
        var rendered = await CreateProducerAsync(api);
        Assert.Equal(2, Replicas(fake));

        // Applied again, and just before the apply arrives (after the AppHost read the Deployment) someone scales to 4.
        var scaled = 0;
        using var scaler = fake.CreateClient();
        using var meanwhile = fake.AddFault(new FaultRule
        {
            Matches = r =>
            {
                if (IsApply(r) && Interlocked.Exchange(ref scaled, 1) == 0)
                {
                    scaler.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":4}}""", V1Patch.PatchType.MergePatch),
                        LoadDeployment.Producer, LoadDeployment.Namespace, fieldManager: "kubectl-scale", cancellationToken: Token).GetAwaiter().GetResult();
                }

                return false;
            },
        });
        await api.ApplyKeepingScaleAsync(rendered, NullLogger.Instance, Token);

        Assert.Equal(1, Volatile.Read(ref scaled));
        Assert.Equal(4, Replicas(fake));

        // The first apply carried the count read (2) with that read's resourceVersion and was refused; the second left replicas out.
        var applies = fake.Requests.Where(IsApply).ToList();
        Assert.Equal(3, applies.Count); // the creation, then the re-apply twice
        Assert.Equal([409, 200], applies.Skip(1).Select(r => r.StatusCode ?? 0));
        var refused = JsonNode.Parse(applies[1].Body!)!;
        Assert.Equal(2, (int?)refused["spec"]!["replicas"]);
        Assert.NotNull((string?)refused["metadata"]!["resourceVersion"]);
        var last = JsonNode.Parse(applies[2].Body!)!;
        Assert.Null(last["spec"]!["replicas"]);
        Assert.Null(last["metadata"]!["resourceVersion"]);

        // The scale owns the count now; the AppHost's apply does not.
        var entries = fake.Get(ResourceType.Deployments, LoadDeployment.Namespace, LoadDeployment.Producer)!["metadata"]!["managedFields"]!.AsArray().OfType<JsonObject>().ToList();
        Assert.Contains(entries, e => (string?)e["manager"] == "kubectl-scale" && (string?)e["subresource"] == "scale" && e["fieldsV1"]?["f:spec"]?["f:replicas"] is not null);
        Assert.DoesNotContain(entries, e => (string?)e["manager"] == KubernetesApi.FieldManager && e["fieldsV1"]?["f:spec"]?["f:replicas"] is not null);
    }

    [Fact]
    public async Task A_Deployment_that_keeps_changing_between_read_and_apply_fails_with_the_API_servers_message_after_the_last_attempt()
    {
        await using var fake = await FakeKubernetesApi.StartAsync(cancellationToken: Token);
        using var api = new KubernetesApi(fake.CreateClient());
        var rendered = await CreateProducerAsync(api);

        // The Deployment controller writes a status before every apply arrives (a rollout that never settles).
        var statusWrites = 0;
        using var meanwhile = fake.AddFault(new FaultRule
        {
            Matches = r =>
            {
                if (IsApply(r))
                {
                    fake.PatchStatus(ResourceType.Deployments, LoadDeployment.Namespace, LoadDeployment.Producer,
                        new JsonObject { ["observedGeneration"] = Interlocked.Increment(ref statusWrites) }, "kube-controller-manager");
                }

                return false;
            },
        });
        var failed = await Assert.ThrowsAsync<KafkaDemo.AppHost.Lifecycle.ClusterSetupException>(() => api.ApplyKeepingScaleAsync(rendered, NullLogger.Instance, Token));

        Assert.Contains("409", failed.Cause, StringComparison.Ordinal);
        Assert.Contains("the object has been modified", failed.Cause, StringComparison.Ordinal);
        Assert.Equal(1 + DeploymentReapply.Attempts, fake.Requests.Count(r => r.Method == "PATCH" && r.Path == DeploymentPath));
        Assert.Equal(2, Replicas(fake));
    }

    /// <summary>The producer Deployment as the AppHost renders it, created through <see cref="DeploymentReapply"/>: its apply owns spec.replicas (2).</summary>
    private static async Task<JsonObject> CreateProducerAsync(KubernetesApi api)
    {
        var objects = LoadManifests.Render(
            new ClusterDeploymentSpec(LoadDeployment.Producer, "KafkaDemo.Producer", "kafkademo-producer", 2, 16, SharedReference.RepositoryRoot, new LoadSettings("orders:1", 100, "512")),
            "kafkademo-producer:0123456789abcdef", "kafkademo-kafka-bootstrap.kafka.svc:9092", otlp: null);
        await api.ApplyAsync(objects.Named("Namespace", LoadDeployment.Namespace), Token);
        var rendered = objects.Named("Deployment", LoadDeployment.Producer);
        await api.ApplyKeepingScaleAsync(rendered, NullLogger.Instance, Token);
        return rendered;
    }

    private static bool IsApply(RecordedRequest r) =>
        r.Method == "PATCH" && r.Path == DeploymentPath && r.ContentType?.StartsWith("application/apply-patch+yaml", StringComparison.Ordinal) == true;

    private static int Replicas(FakeKubernetesApi fake) =>
        (int)fake.Get(ResourceType.Deployments, LoadDeployment.Namespace, LoadDeployment.Producer)!["spec"]!["replicas"]!;
}
