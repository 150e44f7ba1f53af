using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Lifecycle;

namespace KafkaDemo.AppHost.Strimzi;

/// <summary>
/// Which listener of a Kafka the AppHost did not make the services on this machine use. Strimzi's
/// status.listeners[] gives each listener's bootstrapServers but not its type, so the type comes from
/// spec.kafka.listeners[] of the same name. Reachable from outside the cluster without TLS are
/// <c>nodeport</c> and <c>loadbalancer</c> listeners with <c>tls: false</c>: <c>route</c> and
/// <c>ingress</c> must have TLS (040-Crd-kafka.yaml @1.2.0, the listener's <c>tls</c> description),
/// <c>internal</c> and <c>cluster-ip</c> are in-cluster only, and the services speak plaintext.
/// </summary>
public static class ExternalListener
{
    /// <summary>The listener types a client outside the cluster can reach without TLS.</summary>
    public static readonly IReadOnlyList<string> ReachableTypes = ["nodeport", "loadbalancer"];

    /// <summary>The bootstrap servers of <paramref name="listenerName"/>, or of the one reachable plaintext listener when null.</summary>
    /// <exception cref="ClusterSetupException">No such listener, none or several reachable, or no bootstrap servers in the status.</exception>
    public static string BootstrapServers(JsonObject kafka, string? listenerName, string what)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        const string Override = "or give the bootstrap servers yourself in ConnectionStrings:kafka";
        var specs = kafka["spec"]?["kafka"]?["listeners"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
        string name;
        if (!string.IsNullOrWhiteSpace(listenerName))
        {
            name = listenerName;
            if (!specs.Any(l => (string?)l["name"] == name))
            {
                throw new ClusterSetupException($"{what} has no listener '{name}' (KafkaDemo:External:Listener); it has {Names(specs)}.",
                    $"Set KafkaDemo:External:Listener to one of them, {Override}.");
            }
        }
        else
        {
            var reachable = specs.Where(l => ReachableTypes.Contains((string?)l["type"]) && (bool?)l["tls"] == false && l["authentication"] is null).ToList();
            if (reachable.Count != 1)
            {
                throw new ClusterSetupException(
                    reachable.Count == 0
                        ? $"{what} has no listener this machine can reach in plaintext (type nodeport or loadbalancer, tls: false, no authentication); it has {Names(specs)}."
                        : $"{what} has {reachable.Count} listeners this machine could reach ({Names(reachable)}).",
                    $"Name the one to use in KafkaDemo:External:Listener, add a nodeport listener with tls: false, {Override}.");
            }

            name = (string)reachable[0]["name"]!;
        }

        var status = kafka["status"]?["listeners"]?.AsArray().OfType<JsonObject>().FirstOrDefault(l => (string?)l["name"] == name);
        return (string?)status?["bootstrapServers"] is { Length: > 0 } servers
            ? servers
            : throw new ClusterSetupException($"{what} is Ready, but its status names no bootstrap servers for the '{name}' listener.", $"Check its status.listeners, {Override}.");
    }

    private static string Names(IEnumerable<JsonObject> listeners)
    {
        var names = listeners.Select(l => $"{(string?)l["name"]} ({(string?)l["type"]}{((bool?)l["tls"] == true ? ", tls" : "")})").ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }
}
