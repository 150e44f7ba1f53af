using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.AgentContainer;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.IntegrationTests.Agent;

/// <summary>
/// The Overseer's pod on the fake cluster, from the repository's own files: k3d/overseer (its
/// service account and Roles) and deploy/overseer/deployment.yaml, with the control token Secret
/// the user creates by hand. The fake's kubelet starts it with the kubelet's environment and the
/// service account token volume.
/// </summary>
internal static class OverseerPod
{
    public const string Namespace = "kafkademo-overseer";

    /// <summary>Where the kubelet mounts the service account token volume (the <c>kube-api-access-*</c> projected volume).</summary>
    public const string ServiceAccountMount = "/var/run/secrets/kubernetes.io/serviceaccount";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task<RunningContainer> RunAsync(FakeKubernetesApi api, CancellationToken cancellationToken)
    {
        foreach (var item in AgentWorld.Kustomize("k3d/overseer"))
        {
            if (item["kind"]?.GetValue<string>() == "Namespace" && api.Get(ResourceType.Namespaces, null, item["metadata"]!["name"]!.GetValue<string>()) is not null)
            {
                continue;
            }

            api.Put(item, "kafkademo");
        }

        api.Put(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "kafkademo-control", ["namespace"] = Namespace },
            ["data"] = new JsonObject { ["token"] = Convert.ToBase64String("overseer-pod-control-token"u8) },
        }, "kubectl-create");
        var deployment = KubernetesYaml.Deserialize<V1Deployment>(
            await File.ReadAllTextAsync(Path.Combine(SharedReference.RepositoryRoot, "deploy", "overseer", "deployment.yaml"), cancellationToken), strict: true);
        api.Put(JsonNode.Parse(KubernetesJson.Serialize(deployment))!.AsObject(), "kafkademo");

        RunningContainer? found = null;
        await Eventually.TrueAsync(() =>
        {
            found = api.List(ResourceType.Pods, Namespace)
                .Select(p => p["metadata"]!["name"]!.GetValue<string>())
                .Select(name => api.FindRunningContainer(Namespace, name, "overseer"))
                .FirstOrDefault(c => c is not null);
            return found is not null;
        }, Deadline, "The Overseer's pod did not run on the fake cluster.");
        return found!;
    }

    /// <summary>The container's service account files (token, ca.crt, namespace) into <paramref name="folder"/>.</summary>
    public static void CopyServiceAccount(RunningContainer container, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "token", "ca.crt", "namespace" })
        {
            File.WriteAllBytes(Path.Combine(folder, file), container.Files.ReadAllBytes($"{ServiceAccountMount}/{file}"));
        }
    }
}
