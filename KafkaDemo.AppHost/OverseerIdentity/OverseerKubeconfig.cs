using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Kubernetes;

namespace KafkaDemo.AppHost.OverseerIdentity;

/// <summary>
/// The kubeconfig the Overseer gets: the cluster of the AppHost's kubeconfig (its server and CA, as
/// k3d wrote them, or as the user's kubeconfig for an existing cluster names them; nothing else of it) with the Overseer's service account token as the only user, so the Overseer
/// can do what its Roles grant and nothing the admin can.
/// </summary>
public static class OverseerKubeconfig
{
    public const string User = OverseerManifests.ServiceAccount;

    /// <param name="adminKubeconfig">The AppHost's kubeconfig for the cluster (YAML).</param>
    /// <param name="token">The service account's token.</param>
    /// <param name="contextName">The admin kubeconfig's context whose cluster it is; null: its current-context.</param>
    /// <param name="ns">The context's default namespace: Kafka's.</param>
    /// <param name="baseDirectory">The admin kubeconfig's folder: a relative certificate-authority path there is made absolute (client-go resolves it against the kubeconfig's folder).</param>
    /// <exception cref="FormatException">The admin kubeconfig has no such context or no cluster for it.</exception>
    public static string Write(string adminKubeconfig, string token, string? contextName = null, string ns = Settings.K3dSettings.Namespace, string? baseDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var admin = YamlDocuments.Parse(adminKubeconfig, "the cluster's kubeconfig").SingleOrDefault()
            ?? throw new FormatException("The cluster's kubeconfig is empty.");
        var current = contextName is null;
        contextName ??= (string?)admin["current-context"];
        var context = Named(admin, "contexts", contextName)?["context"]
            ?? throw new FormatException($"The cluster's kubeconfig has no context '{contextName}'{(current ? " (its current-context)" : "")}.");
        var clusterName = (string?)context["cluster"];
        var cluster = Named(admin, "clusters", clusterName)?["cluster"]
            ?? throw new FormatException($"The cluster's kubeconfig has no cluster '{clusterName}'.");
        var clusterCopy = cluster.DeepClone().AsObject();
        if (baseDirectory is not null && (string?)clusterCopy["certificate-authority"] is { Length: > 0 } ca && !Path.IsPathRooted(ca))
        {
            clusterCopy["certificate-authority"] = Path.GetFullPath(Path.Combine(baseDirectory, ca));
        }

        var name = $"{User}@{clusterName}";
        var config = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new JsonArray(new JsonObject { ["name"] = clusterName, ["cluster"] = clusterCopy }),
            ["users"] = new JsonArray(new JsonObject { ["name"] = User, ["user"] = new JsonObject { ["token"] = token } }),
            ["contexts"] = new JsonArray(new JsonObject
            {
                ["name"] = name,
                ["context"] = new JsonObject { ["cluster"] = clusterName, ["user"] = User, ["namespace"] = ns },
            }),
            ["current-context"] = name,
        };
        return YamlDocuments.Write(config);
    }

    private static JsonObject? Named(JsonObject config, string list, string? name) =>
        (config[list] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(e => (string?)e["name"] == name);
}
