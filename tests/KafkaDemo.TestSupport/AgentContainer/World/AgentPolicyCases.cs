using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>How the cluster answers one of the agent's patches.</summary>
public enum PolicyOutcome
{
    /// <summary>Admitted: the resource changes.</summary>
    Allowed,

    /// <summary>Denied by k3d/agent/admission-policy.yaml (422, "denied request: {message}").</summary>
    Denied,

    /// <summary>Refused by RBAC before admission (403): the Role does not grant the verb.</summary>
    Forbidden,
}

/// <summary>
/// One change the agent might make, as <c>kubectl patch {kind} {name} -n kafka --type merge -p {patch}</c>,
/// against the repository's k3d/kafka objects as they start, with what the cluster must answer:
/// for a denial, a part of the policy's message (its messageExpression's text) that says what is allowed.
/// </summary>
/// <param name="Name">The case, for test names.</param>
/// <param name="Kind">kubectl's name for the kind: kafka, kafkanodepool or kafkatopic.</param>
/// <param name="ObjectName">The object's name in the namespace kafka.</param>
/// <param name="Patch">The JSON merge patch.</param>
/// <param name="Outcome">What the cluster answers.</param>
/// <param name="Message">For <see cref="PolicyOutcome.Denied"/>, text the denial message contains.</param>
public sealed record AgentPolicyCase(string Name, string Kind, string ObjectName, string Patch, PolicyOutcome Outcome, string? Message = null)
{
    public const string Namespace = StrimziNames.Namespace;

    /// <summary>The resource the case patches.</summary>
    public ResourceType Resource => Kind switch
    {
        "kafka" => new ResourceType("kafka.strimzi.io", "v1", "kafkas"),
        "kafkanodepool" => new ResourceType("kafka.strimzi.io", "v1", "kafkanodepools"),
        "kafkatopic" => new ResourceType("kafka.strimzi.io", "v1", "kafkatopics"),
        _ => throw new InvalidOperationException($"Unknown kind {Kind}."),
    };

    /// <summary>kubectl's arguments, verb first, as vibectl's planner gives them.</summary>
    public IReadOnlyList<string> KubectlArguments => ["patch", Kind, ObjectName, "-n", Namespace, "--type", "merge", "-p", Patch];

    public override string ToString() => Name;

    /// <summary>
    /// The table: what the policy admits (tuning within the allow-list and bounds) and what it
    /// denies (issue 15's list), each against k3d/kafka's starting objects (num.io.threads 2,
    /// socket buffers 102400, the node pool's 1Gi limit and 512m heap).
    /// </summary>
    public static IReadOnlyList<AgentPolicyCase> All { get; } =
    [
        new("io threads 2 to 4", "kafka", StrimziNames.KafkaName, Config("num.io.threads", "4"), PolicyOutcome.Allowed),
        new("socket buffers to 1 MiB", "kafka", StrimziNames.KafkaName,
            """{"spec":{"kafka":{"config":{"socket.send.buffer.bytes":1048576,"socket.receive.buffer.bytes":"1048576"}}}}""", PolicyOutcome.Allowed),
        new("queued.max.requests removed (Kafka's default)", "kafka", StrimziNames.KafkaName, Config("queued.max.requests", "null"), PolicyOutcome.Allowed),
        new("heap 1536m with a 2Gi limit", "kafkanodepool", StrimziNames.NodePoolName,
            """{"spec":{"resources":{"requests":{"memory":"2Gi"},"limits":{"memory":"2Gi"}},"jvmOptions":{"-Xms":"1536m","-Xmx":"1536m"}}}""", PolicyOutcome.Allowed),
        new("topic retention", "kafkatopic", "orders", """{"spec":{"config":{"retention.ms":1000}}}""", PolicyOutcome.Forbidden),
        new("broker retention", "kafka", StrimziNames.KafkaName, Config("log.retention.ms", "1000"), PolicyOutcome.Denied,
            "spec.kafka.config: a key outside the allow-list was set, changed or removed. Only these keys"),
        new("listeners", "kafka", StrimziNames.KafkaName,
            """{"spec":{"kafka":{"listeners":[{"name":"plain","port":9092,"type":"internal","tls":false}]}}}""", PolicyOutcome.Denied,
            "spec.kafka.listeners may not change."),
        new("replicas", "kafkanodepool", StrimziNames.NodePoolName, """{"spec":{"replicas":1}}""", PolicyOutcome.Denied,
            "spec.replicas may not change. Of a KafkaNodePool only spec.resources and spec.jvmOptions may change"),
        new("min.insync.replicas", "kafka", StrimziNames.KafkaName, Config("min.insync.replicas", "1"), PolicyOutcome.Denied,
            "spec.kafka.config: a key outside the allow-list was set, changed or removed."),
        new("unclean leader election", "kafka", StrimziNames.KafkaName, Config("unclean.leader.election.enable", "true"), PolicyOutcome.Denied,
            "spec.kafka.config: a key outside the allow-list was set, changed or removed."),
        new("io threads out of bounds", "kafka", StrimziNames.KafkaName, Config("num.io.threads", "100"), PolicyOutcome.Denied,
            "spec.kafka.config: num.io.threads must be a whole number from 1 to 64; the patch sets 100."),
        new("pause reconciliation", "kafka", StrimziNames.KafkaName, """{"metadata":{"annotations":{"strimzi.io/pause-reconciliation":"true"}}}""", PolicyOutcome.Denied,
            "metadata.annotations may not change: strimzi.io/pause-reconciliation would stop Strimzi from applying any change"),
        new("ownerReferences", "kafka", StrimziNames.KafkaName,
            """{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"kafkademo-metrics","uid":"6f0a3a52-3c1e-4b4e-9d59-2b7c1f6f1a10"}]}}""",
            PolicyOutcome.Denied, "metadata.ownerReferences may not change"),
        new("heap over 75 % of the limit", "kafkanodepool", StrimziNames.NodePoolName, """{"spec":{"jvmOptions":{"-Xms":"1g","-Xmx":"1g"}}}""", PolicyOutcome.Denied,
            "at most 75 % of spec.resources.limits.memory (with a limit of 1Gi: at most 768m); -Xms, if set, one of them and at most -Xmx. The patch sets -Xmx to 1g"),
        new("memory over the cap", "kafkanodepool", StrimziNames.NodePoolName, """{"spec":{"resources":{"limits":{"memory":"4Gi"}}}}""", PolicyOutcome.Denied,
            "spec.resources.limits.memory must be one of 512Mi, 768Mi, 1Gi, 1280Mi, 1536Mi, 1792Mi, 2Gi (at most 2Gi per broker"),
    ];

    public static AgentPolicyCase Named(string name) => All.Single(c => c.Name == name);

    private static string Config(string key, string json) => "{\"spec\":{\"kafka\":{\"config\":{\"" + key + "\":" + json + "}}}}";
}
