using System.ComponentModel.DataAnnotations;
using System.Globalization;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.Messaging.Limits;
using KafkaDemo.Messaging.Validation;

namespace KafkaDemo.AppHost.Settings;

/// <summary>
/// <c>KafkaDemo:K3d</c>: the k3d cluster and the Strimzi Kafka in it. The defaults are the ones
/// written in <c>k3d/cluster.yaml</c> and <c>k3d/kafka/</c>. Checked with <see cref="KafkaDemoSettings"/>:
/// the attributes, then <see cref="Validate"/> for what they cannot say.
/// </summary>
public sealed class K3dSettings : IValidatableObject
{
    private const string S = KafkaDemoSettings.SectionName + ":K3d";

    private const string ClusterNameProblem = S + ":ClusterName must be 1 to 32 lowercase letters, digits or '-', starting with a letter; it is '{0}'.";

    private const string StorageProblem = S + ":Storage must be ephemeral or persistent; it is '{0}'.";

    /// <summary>The Strimzi release whose operator is installed; its manifest is checked against it.</summary>
    public const string StrimziVersion = "1.2.0";

    /// <summary>Where the operator watches and Kafka runs.</summary>
    public const string Namespace = StrimziNames.Namespace;

    /// <summary>The lowest and highest port Kubernetes gives NodePort services by default.</summary>
    public const int NodePortMin = 30000;

    public const int NodePortMax = 32767;

    /// <summary>The k3d cluster's name (its containers are k3d-&lt;name&gt;-*).</summary>
    [NotBlank(ErrorMessage = ClusterNameProblem)]
    [Matches("^[a-z][a-z0-9-]{0,31}$", ErrorMessage = ClusterNameProblem)]
    public string ClusterName { get; set; } = "kafkademo";

    /// <summary>k3d agent nodes beside the one server node.</summary>
    [InRange(0, 8, ErrorMessage = S + ":Agents must be from {1} to {2}; it is {0}.")]
    public int Agents { get; set; } = 2;

    /// <summary>Kafka nodes (each a KRaft controller and a broker).</summary>
    [InRange(1, ClusterLimits.MaxBrokers, ErrorMessage = S + ":Brokers must be from {1} to {2}; it is {0}.")]
    public int Brokers { get; set; } = 3;

    /// <summary>
    /// The external listener's bootstrap node port; broker n (0-based) gets <c>NodePort + 1 + n</c>.
    /// Each is mapped to the same port on 127.0.0.1.
    /// </summary>
    public int NodePort { get; set; } = 30092;

    /// <summary><c>ephemeral</c> (the default: a new cluster starts empty) or <c>persistent</c>.</summary>
    [NotBlank(ErrorMessage = StorageProblem)]
    [Matches("^(?i:ephemeral|persistent)$", ErrorMessage = StorageProblem)]
    public string Storage { get; set; } = "ephemeral";

    /// <summary>
    /// The Strimzi cluster-operator manifest: a URL, a file, or a folder of YAML files (for example
    /// Strimzi's <c>install/cluster-operator</c>). Empty means the pinned release asset, downloaded
    /// once and cached in <see cref="StateDirectory"/>.
    /// </summary>
    public string? StrimziManifest { get; set; }

    /// <summary>Where the kubeconfig, the rendered cluster config and the operator manifest cache live. Empty means ~/.kafkademo.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>How long to wait for Kafka (and its topics) to be Ready before failing.</summary>
    [InRange(1, 7200, ErrorMessage = S + ":ReadyTimeoutSeconds must be from {1} to {2}; it is {0}.")]
    public int ReadyTimeoutSeconds { get; set; } = 900;

    /// <summary>Delete the cluster when the AppHost stops. By default it is kept, so the next start is fast.</summary>
    public bool DeleteOnExit { get; set; }

    /// <summary>The docker command (a name on PATH or a path).</summary>
    public string DockerCommand { get; set; } = "docker";

    /// <summary>The k3d command (a name on PATH or a path).</summary>
    public string K3dCommand { get; set; } = "k3d";

    /// <summary>Extra broker settings merged into the Kafka CR's <c>spec.kafka.config</c>, checked against Strimzi's forbidden keys.</summary>
    public Dictionary<string, string> BrokerConfig { get; set; } = new(StringComparer.Ordinal);

    public static string StrimziReleaseUrl =>
        $"https://github.com/strimzi/strimzi-kafka-operator/releases/download/{StrimziVersion}/strimzi-cluster-operator-{StrimziVersion}.yaml";

    public bool PersistentStorage => string.Equals(Storage, "persistent", StringComparison.OrdinalIgnoreCase);

    /// <summary>The host (and node) ports the cluster maps: the bootstrap port first, then one per broker.</summary>
    public IReadOnlyList<int> HostPorts => [.. Enumerable.Range(NodePort, Brokers + 1)];

    public string ResolvedStateDirectory => string.IsNullOrWhiteSpace(StateDirectory)
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kafkademo")
        : Path.GetFullPath(StateDirectory);

    /// <summary>The kubeconfig written for this cluster; the user's own kubeconfig is never touched.</summary>
    public string KubeconfigPath => Path.Combine(ResolvedStateDirectory, $"{ClusterName}.kubeconfig");

    /// <summary>The Overseer's kubeconfig for this cluster: its own service account's token, not the admin's (k3d/overseer).</summary>
    public string OverseerKubeconfigPath => Path.Combine(ResolvedStateDirectory, $"{ClusterName}-overseer.kubeconfig");

    /// <summary>The rules the attributes cannot state: node ports that fit the range together, and Strimzi's forbidden broker settings.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NodePort < NodePortMin || NodePort + Math.Max(Brokers, 1) > NodePortMax)
        {
            yield return new ValidationResult(string.Create(CultureInfo.InvariantCulture,
                $"{S}:NodePort must leave room for {Brokers + 1} consecutive node ports within {NodePortMin}-{NodePortMax}; it is {NodePort}."));
        }

        foreach (var key in BrokerConfig.Keys)
        {
            if (StrimziConfigRules.ForbiddenReason(key) is { } reason)
            {
                yield return new ValidationResult($"{S}:BrokerConfig:{key}: {reason}");
            }
        }
    }
}
