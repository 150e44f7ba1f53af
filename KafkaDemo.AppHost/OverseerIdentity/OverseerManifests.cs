using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Manifests;

namespace KafkaDemo.AppHost.OverseerIdentity;

/// <summary>
/// The Overseer's own identity in the cluster, the kustomization in <c>k3d/overseer</c>: the
/// service account <see cref="ServiceAccount"/> in <see cref="Namespace"/> and the Roles (in
/// <c>kafka</c> and in the agent's namespace) that grant exactly the calls the Overseer makes.
/// </summary>
public static class OverseerManifests
{
    public const string Folder = "k3d/overseer";
    public const string Namespace = "kafkademo-overseer";
    public const string ServiceAccount = "kafkademo-overseer";

    /// <summary>The user name the API server gives the service account's tokens.</summary>
    public const string UserName = $"system:serviceaccount:{Namespace}:{ServiceAccount}";

    public static IReadOnlyList<JsonObject> Files() => ManifestFiles.Kustomize(Folder);

    /// <summary>The objects with their Role and RoleBinding in <paramref name="kafka"/>'s namespace, naming that Kafka (<see cref="KafkaTarget.Retarget"/>).</summary>
    public static IReadOnlyList<JsonObject> Render(KafkaTarget kafka)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        return kafka.Retarget(Files());
    }
}
