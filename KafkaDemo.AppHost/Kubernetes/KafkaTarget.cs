using System.Text.Json.Nodes;
using KafkaDemo.DeploymentContract.Strimzi;

namespace KafkaDemo.AppHost.Kubernetes;

/// <summary>
/// Where the demo's Strimzi Kafka is in a cluster: its namespace and the Kafka resource's name. In k3d
/// it is <see cref="Default"/> (kafka/kafkademo, what the files under <c>k3d/</c> name); in an existing
/// cluster it is KafkaDemo:External:Namespace/KafkaName.
/// </summary>
public sealed record KafkaTarget(string Namespace, string Name)
{
    private const string StrimziGroup = "kafka.strimzi.io";

    /// <summary>The Kafka the files under <c>k3d/</c> name.</summary>
    public static KafkaTarget Default { get; } = new(StrimziNames.Namespace, StrimziNames.KafkaName);

    /// <summary>The label that ties a KafkaNodePool or KafkaTopic to its Kafka (Strimzi's <c>strimzi.io/cluster</c>).</summary>
    public const string ClusterLabel = "strimzi.io/cluster";

    public override string ToString() => $"{Namespace}/{Name}";

    /// <summary>
    /// Objects written for <see cref="Default"/> (the Overseer's and the agent's Roles, RoleBindings and
    /// admission policy), made to name this Kafka instead: every object in the namespace
    /// <see cref="StrimziNames.Namespace"/> moves to <see cref="Namespace"/>; in a Role's rules on kafkas, the
    /// resourceNames <see cref="StrimziNames.KafkaName"/> becomes <see cref="Name"/>; a
    /// ValidatingAdmissionPolicy that selects the namespace by its <c>kubernetes.io/metadata.name</c>
    /// label selects <see cref="Namespace"/>, and it and its binding are named for <see cref="Namespace"/>
    /// (<see cref="PolicyName"/>). For <see cref="Default"/> the objects come back as they are.
    /// The objects are copies; the input is not changed.
    /// </summary>
    public IReadOnlyList<JsonObject> Retarget(IEnumerable<JsonObject> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        return [.. objects.Select(Retarget)];
    }

    private JsonObject Retarget(JsonObject item)
    {
        var copy = item.DeepClone().AsObject();
        if (copy["metadata"] is JsonObject metadata && (string?)metadata["namespace"] == StrimziNames.Namespace)
        {
            metadata["namespace"] = Namespace;
        }

        foreach (var rule in (copy["rules"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (Strings(rule["apiGroups"]).Contains(StrimziGroup) && Strings(rule["resources"]).Contains("kafkas") && rule["resourceNames"] is JsonArray names)
            {
                rule["resourceNames"] = new JsonArray([.. Strings(names).Select(n => (JsonNode)(n == StrimziNames.KafkaName ? Name : n))]);
            }
        }

        if ((string?)copy["kind"] == "ValidatingAdmissionPolicy"
            && copy["spec"]?["matchConstraints"]?["namespaceSelector"]?["matchLabels"] is JsonObject labels
            && (string?)labels[NamespaceNameLabel] == StrimziNames.Namespace)
        {
            labels[NamespaceNameLabel] = Namespace;
        }

        switch ((string?)copy["kind"])
        {
            case "ValidatingAdmissionPolicy" when copy["metadata"] is JsonObject policy && (string?)policy["name"] is { } name:
                policy["name"] = PolicyName(name);
                break;
            case "ValidatingAdmissionPolicyBinding" when copy["metadata"] is JsonObject binding && (string?)binding["name"] is { } name:
                binding["name"] = PolicyName(name);
                if (copy["spec"] is JsonObject spec && (string?)spec["policyName"] is { } policyName)
                {
                    spec["policyName"] = PolicyName(policyName);
                }

                break;
        }

        return copy;
    }

    /// <summary>
    /// The name of a cluster-scoped admission policy, or its binding, written for <see cref="Default"/>, for this
    /// Kafka's namespace: as it is for <c>kafka</c>, with <c>-{namespace}</c> added for any other. Every other object
    /// the AppHost applies is namespaced; these two are not, so two AppHosts on one cluster whose Kafkas are in
    /// different namespaces would otherwise apply one policy, each taking its namespaceSelector over (server-side
    /// apply, one field manager: the last apply wins) and leaving the other's Kafka unguarded against the agent.
    /// Named apart, each namespace keeps its own. (The longest namespace, 63 characters, keeps the name well within
    /// the 253 of a DNS subdomain that names a cluster-scoped object.)
    /// </summary>
    public string PolicyName(string name) => Namespace == StrimziNames.Namespace ? name : $"{name}-{Namespace}";

    /// <summary>The label the API server puts on every namespace, its name (NamespaceDefaultLabelName, GA in Kubernetes 1.22).</summary>
    private const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    private static string[] Strings(JsonNode? node) => [.. (node as JsonArray ?? []).Select(n => (string?)n ?? "")];
}
