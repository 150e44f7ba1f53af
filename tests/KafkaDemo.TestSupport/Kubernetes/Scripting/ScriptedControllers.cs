using System.Globalization;
using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// Stand-ins for the controllers a real cluster runs, built on <see cref="FakeKubernetesApi.OnWrite"/>:
/// they write the status those controllers would write, after a delay the test chooses. Dispose the
/// result to stop one.
/// </summary>
public static class ScriptedControllers
{
    /// <summary>Strimzi's Kafka resource (the controller reacts to it in any version).</summary>
    public static readonly ResourceType Kafkas = new("kafka.strimzi.io", "v1", "kafkas");

    /// <summary>
    /// Like the Deployment controller with every pod ready: after <paramref name="delay"/>, a created
    /// or respecified Deployment gets status with all replicas available and the Available condition.
    /// </summary>
    public static IDisposable DeploymentsBecomeAvailable(this FakeKubernetesApi api, TimeSpan delay = default) =>
        api.OnWrite(
            write => write.IsOf(ResourceType.Deployments) && write.SpecChanged,
            async (write, cancellationToken) =>
            {
                await WaitAsync(delay, cancellationToken);
                var replicas = write.Item["spec"]?["replicas"]?.GetValue<int>() ?? 1;
                var now = KubeTime.Format(api.Now);
                TryPatchStatus(api, write, "kube-controller-manager", new JsonObject
                {
                    ["observedGeneration"] = write.Generation,
                    ["replicas"] = replicas,
                    ["updatedReplicas"] = replicas,
                    ["readyReplicas"] = replicas,
                    ["availableReplicas"] = replicas,
                    ["conditions"] = new JsonArray(
                        Condition("Available", "MinimumReplicasAvailable", "Deployment has minimum availability.", now),
                        Condition("Progressing", "NewReplicaSetAvailable", "ReplicaSet has successfully progressed.", now)),
                });
            });

    /// <summary>
    /// Runs pods for Deployments as a cluster does: the Deployment and ReplicaSet controllers make
    /// <c>spec.replicas</c> pods from the pod template (replaced on a template change, new first; added or
    /// removed on scale; remade when deleted), service account admission checks the account and mounts
    /// its token, and the node's kubelet starts them <paramref name="delay"/> after they are made, with
    /// the environment and files their spec gives them (or leaves them Pending with the kubelet's error),
    /// and the Deployment's status follows. It also puts what kube-controller-manager puts in every
    /// namespace (the "default" ServiceAccount, the kube-root-ca.crt ConfigMap). Pods other writers make
    /// Pending are started too. The EndpointSlice controller runs with it (<see cref="EndpointSlicesFollowServices"/>),
    /// as kube-controller-manager runs both. See README.md for what is simplified. Dispose the result to stop it.
    /// </summary>
    public static IDisposable DeploymentsRunPods(this FakeKubernetesApi api, TimeSpan delay = default)
    {
        ArgumentNullException.ThrowIfNull(api);
        var deployments = new DeploymentController(api, delay);
        return new Stack(deployments, new EndpointSliceController(api));
    }

    /// <summary>
    /// The EndpointSlice controller alone (<see cref="DeploymentsRunPods"/> includes it): for every Service
    /// with a selector, EndpointSlices (discovery.k8s.io/v1) that list its pods as they come, become ready
    /// and go, the way kube-controller-manager writes them. Dispose the result to stop it.
    /// </summary>
    public static IDisposable EndpointSlicesFollowServices(this FakeKubernetesApi api)
    {
        ArgumentNullException.ThrowIfNull(api);
        return new EndpointSliceController(api);
    }

    /// <summary>
    /// Like the Strimzi cluster operator once the brokers run: after <paramref name="delay"/>, a created
    /// or respecified Kafka gets condition Ready, its observedGeneration, and a
    /// <c>status.listeners[]</c> entry with <c>bootstrapServers</c> for every <c>spec.kafka.listeners[]</c>
    /// entry: <c>{kafka}-kafka-bootstrap.{namespace}.svc:{port}</c> unless <paramref name="bootstrapServers"/>
    /// says otherwise (for example a host port for an external listener).
    /// </summary>
    public static IDisposable KafkasBecomeReady(this FakeKubernetesApi api, TimeSpan delay = default, Func<KafkaListener, string>? bootstrapServers = null) =>
        api.OnWrite(
            write => write.IsOf(Kafkas) && write.SpecChanged,
            async (write, cancellationToken) =>
            {
                await WaitAsync(delay, cancellationToken);
                var listeners = new JsonArray();
                foreach (var listener in (write.Item["spec"]?["kafka"]?["listeners"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var described = new KafkaListener(
                        write.Name,
                        write.Namespace ?? "",
                        JsonFields.Text(listener, "name") ?? "",
                        listener["port"]?.GetValue<int>() ?? 9092,
                        JsonFields.Text(listener, "type") ?? "internal");
                    var servers = bootstrapServers?.Invoke(described) ?? $"{described.KafkaName}-kafka-bootstrap.{described.Namespace}.svc:{described.Port}";
                    var first = servers.Split(',')[0];
                    var colon = first.LastIndexOf(':');
                    listeners.Add(new JsonObject
                    {
                        ["name"] = described.Name,
                        ["addresses"] = new JsonArray(new JsonObject
                        {
                            ["host"] = colon < 0 ? first : first[..colon],
                            ["port"] = colon < 0 ? described.Port : int.Parse(first[(colon + 1)..], CultureInfo.InvariantCulture),
                        }),
                        ["bootstrapServers"] = servers,
                    });
                }

                TryPatchStatus(api, write, "strimzi-cluster-operator", new JsonObject
                {
                    ["observedGeneration"] = write.Generation,
                    ["conditions"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "Ready",
                        ["status"] = "True",
                        ["lastTransitionTime"] = KubeTime.Format(api.Now),
                    }),
                    ["listeners"] = listeners,
                    ["clusterId"] = $"fake-{write.Item["metadata"]?["uid"]?.GetValue<string>()}",
                });
            });

    private static async Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }
    }

    /// <summary>
    /// Writes the status for the generation the write made, unless the object went away or was
    /// respecified meanwhile (then the newer write's reaction writes it).
    /// </summary>
    private static void TryPatchStatus(FakeKubernetesApi api, ObjectWrite write, string manager, JsonObject status)
    {
        if (api.Get(write.Resource, write.Namespace, write.Name)?["metadata"]?["generation"]?.GetValue<long>() != write.Generation)
        {
            return;
        }

        try
        {
            api.PatchStatus(write.Resource, write.Namespace, write.Name, status, manager);
        }
        catch (InvalidOperationException) when (api.Get(write.Resource, write.Namespace, write.Name) is null)
        {
            // Deleted in between.
        }
    }

    private static JsonObject Condition(string type, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastUpdateTime"] = now,
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };
}

/// <summary>Controllers stopped together, the last started first.</summary>
internal sealed class Stack(params IDisposable[] parts) : IDisposable
{
    public void Dispose()
    {
        foreach (var part in parts.Reverse())
        {
            part.Dispose();
        }
    }
}

/// <summary>One listener of a Kafka custom resource, for choosing its bootstrap address.</summary>
public sealed record KafkaListener(string KafkaName, string Namespace, string Name, int Port, string Type);
