using System.ComponentModel.DataAnnotations;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.Messaging.Validation;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.KubernetesApi;

/// <summary>
/// <c>Overseer:Cluster</c>: the Kubernetes cluster Kafka runs in (k3d mode, or external mode with
/// a cluster), reached through a kubeconfig (the AppHost writes one) or, in a pod, through the pod's
/// own service account (<see cref="InCluster"/>). With neither the Overseer watches no cluster and
/// runs no agent. Checked at start-up by <see cref="ClusterOptionsValidator"/>: the attributes, then
/// <see cref="Validate"/> for the files and the presets.
/// </summary>
/// <remarks>
/// In-cluster is an explicit choice, never guessed from <c>KUBERNETES_SERVICE_HOST</c> and a token
/// file being there: an Overseer run on a host that is itself a pod (a dev container in a cluster)
/// would otherwise watch that cluster instead of Kafka's, and one given a kubeconfig must use it.
/// </remarks>
public sealed class ClusterOptions : IValidatableObject
{
    public const string SectionName = "Overseer:Cluster";

    /// <summary>The default <see cref="ServiceAccountPath"/>: where the kubelet mounts the service account token volume.</summary>
    public const string DefaultServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The kubeconfig file the AppHost wrote for the cluster; empty when there is none.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>
    /// Whether the Overseer runs in a pod of the cluster and talks to its API server as the pod's
    /// service account: the API server from <c>KUBERNETES_SERVICE_HOST</c> and <c>KUBERNETES_SERVICE_PORT</c>
    /// (the kubelet sets them in every container), the token and CA from <see cref="ServiceAccountPath"/>.
    /// Not with <see cref="Kubeconfig"/>.
    /// </summary>
    public bool InCluster { get; set; }

    /// <summary>The service account token volume's folder (<c>token</c>, <c>ca.crt</c>); another folder only for tests.</summary>
    public string ServiceAccountPath { get; set; } = DefaultServiceAccountPath;

    /// <summary>The API server's host in the cluster: <c>KUBERNETES_SERVICE_HOST</c> unless set.</summary>
    public string? ApiServerHost { get; set; }

    /// <summary>The API server's port in the cluster: <c>KUBERNETES_SERVICE_PORT</c> unless set.</summary>
    public string? ApiServerPort { get; set; }

    /// <summary>Where Kafka runs.</summary>
    [NotBlank(ErrorMessage = SectionName + ":Namespace must be set.")]
    public string Namespace { get; set; } = StrimziNames.Namespace;

    /// <summary>The Strimzi Kafka resource.</summary>
    [NotBlank(ErrorMessage = SectionName + ":KafkaName must be set.")]
    public string KafkaName { get; set; } = StrimziNames.KafkaName;

    /// <summary>The Strimzi node pool of the brokers.</summary>
    [NotBlank(ErrorMessage = SectionName + ":NodePoolName must be set.")]
    public string NodePoolName { get; set; } = StrimziNames.NodePoolName;

    /// <summary>How often the broker pods are counted (ready versus desired).</summary>
    [InRange(1, 300, ErrorMessage = SectionName + ":PodPollSeconds must be from {1} to {2}; it is {0}.")]
    public int PodPollSeconds { get; set; } = 5;

    /// <summary>
    /// Seconds one call to the Kubernetes API may take (KubernetesClient's HttpClientTimeout; a watch
    /// is not limited by it). KubernetesClient's default is 100 s; a lookup that takes 30 s is failing,
    /// and the loops retry it sooner with this.
    /// </summary>
    [InRange(1, 300, ErrorMessage = SectionName + ":RequestTimeoutSeconds must be from {1} to {2}; it is {0}.")]
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Seconds the API server keeps one watch of the Kafka resources or the load's EndpointSlices open
    /// (its <c>timeoutSeconds</c>) before it ends it; the Overseer then reads (or resumes) and watches
    /// again. A watch that ends at that time without an event is a normal end (QuietWatchEnd).
    /// </summary>
    [InRange(1, 3600, ErrorMessage = SectionName + ":WatchSeconds must be from {1} to {2}; it is {0}.")]
    public int WatchSeconds { get; set; } = 300;

    /// <summary>
    /// Broker config presets to reset to, by name, each a set of <c>spec.kafka.config</c> keys: the
    /// AppHost passes the cluster's modest starting config and Kafka's own defaults for the same keys.
    /// </summary>
    public Dictionary<string, Dictionary<string, string>> Presets { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled => InCluster || !string.IsNullOrWhiteSpace(Kubeconfig);

    /// <summary>Where the connection comes from, for messages: the kubeconfig, or the pod's service account.</summary>
    public string Source => InCluster ? $"the pod's service account ({ServiceAccountPath})" : $"the kubeconfig {Kubeconfig}";

    public string TokenFile => Path.Combine(ServiceAccountPath, "token");

    public string CertificateAuthorityFile => Path.Combine(ServiceAccountPath, "ca.crt");

    public string BrokerPodSelector => $"strimzi.io/cluster={KafkaName},strimzi.io/kind=Kafka,strimzi.io/broker-role=true";

    /// <summary>
    /// The rules the attributes cannot state: the kubeconfig file must exist; in the cluster, the
    /// token, the CA and the API server's address must be there, and no kubeconfig; no preset may be empty.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (InCluster)
        {
            foreach (var result in ValidateInCluster())
            {
                yield return result;
            }
        }
        else if (Enabled && !File.Exists(Kubeconfig))
        {
            yield return new ValidationResult($"{SectionName}:Kubeconfig: the file '{Kubeconfig}' does not exist.");
        }

        foreach (var (preset, config) in Presets)
        {
            if (config.Count == 0)
            {
                yield return new ValidationResult($"{SectionName}:Presets:{preset} has no settings.");
            }
        }
    }

    private IEnumerable<ValidationResult> ValidateInCluster()
    {
        if (!string.IsNullOrWhiteSpace(Kubeconfig))
        {
            yield return new ValidationResult($"{SectionName}:InCluster is true and {SectionName}:Kubeconfig is set; use one of them.");
        }

        if (string.IsNullOrWhiteSpace(ServiceAccountPath))
        {
            yield return new ValidationResult($"{SectionName}:ServiceAccountPath must be set when {SectionName}:InCluster is true.");
            yield break;
        }

        foreach (var file in new[] { TokenFile, CertificateAuthorityFile })
        {
            if (!File.Exists(file))
            {
                yield return new ValidationResult($"{SectionName}:InCluster: '{file}' does not exist ({SectionName}:ServiceAccountPath is '{ServiceAccountPath}'). " +
                    "Is the service account token mounted (automountServiceAccountToken)?");
            }
        }

        if (string.IsNullOrWhiteSpace(ApiServerHost))
        {
            yield return new ValidationResult($"{SectionName}:ApiServerHost is not set and neither is KUBERNETES_SERVICE_HOST, which the kubelet sets in every container ({SectionName}:InCluster is true).");
        }

        if (!int.TryParse(ApiServerPort, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            yield return new ValidationResult($"{SectionName}:ApiServerPort must be a port from 1 to 65535 (KUBERNETES_SERVICE_PORT unless set); it is '{ApiServerPort}' ({SectionName}:InCluster is true).");
        }
    }

    /// <summary>The API server's address in the cluster, once <see cref="Validate"/> passed.</summary>
    public Uri ApiServer => new UriBuilder(Uri.UriSchemeHttps, ApiServerHost, int.Parse(ApiServerPort!, System.Globalization.CultureInfo.InvariantCulture)).Uri;
}

/// <summary>Checks <see cref="ClusterOptions"/> at start-up; every message names its key. Generated by the options source generator.</summary>
[OptionsValidator]
public sealed partial class ClusterOptionsValidator : IValidateOptions<ClusterOptions>;
