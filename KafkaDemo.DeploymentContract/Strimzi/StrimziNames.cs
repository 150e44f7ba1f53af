namespace KafkaDemo.DeploymentContract.Strimzi;

/// <summary>
/// The names of the Strimzi Kafka the AppHost deploys (<c>k3d/kafka</c>) and the Overseer watches,
/// written once. The YAML files carry them too; <c>ManifestTests</c> checks that they agree.
/// </summary>
public static class StrimziNames
{
    /// <summary>Where the operator watches and Kafka runs (<c>namespace</c> of k3d/kafka/kustomization.yaml).</summary>
    public const string Namespace = "kafka";

    /// <summary>The Kafka resource's name (<c>metadata.name</c> in k3d/kafka/kafka.yaml, and each pool's and topic's <c>strimzi.io/cluster</c> label).</summary>
    public const string KafkaName = "kafkademo";

    /// <summary>The node pool of the brokers (<c>metadata.name</c> in k3d/kafka/node-pool.yaml).</summary>
    public const string NodePoolName = "dual";

    /// <summary>
    /// The StrimziPodSet of the pool's pods as Strimzi names it, <c>&lt;kafka&gt;-&lt;pool&gt;</c>; its pods
    /// are <c>&lt;kafka&gt;-&lt;pool&gt;-&lt;node id&gt;</c>.
    /// </summary>
    public const string PodSetName = KafkaName + "-" + NodePoolName;

    /// <summary>The broker pod of a node id.</summary>
    public static string BrokerPod(int nodeId) => $"{PodSetName}-{nodeId}";
}
