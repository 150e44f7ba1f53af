using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.KubernetesApi;

/// <summary>
/// <c>Overseer:Cluster</c>: the Kubernetes cluster Kafka runs in (k3d mode, or external mode with
/// a cluster). Without a kubeconfig the Overseer watches no cluster and runs no agent.
/// </summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Overseer:Cluster";

    /// <summary>The kubeconfig file the AppHost wrote for the cluster; empty when there is none.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>Where Kafka runs.</summary>
    public string Namespace { get; set; } = "kafka";

    /// <summary>The Strimzi Kafka resource.</summary>
    public string KafkaName { get; set; } = "kafkademo";

    /// <summary>The Strimzi node pool of the brokers.</summary>
    public string NodePoolName { get; set; } = "dual";

    /// <summary>How often the broker pods are counted (ready versus desired).</summary>
    public int PodPollSeconds { get; set; } = 5;

    /// <summary>
    /// Seconds one call to the Kubernetes API may take (KubernetesClient's HttpClientTimeout; a watch
    /// is not limited by it). KubernetesClient's default is 100 s; a lookup that takes 30 s is failing,
    /// and the loops retry it sooner with this.
    /// </summary>
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Broker config presets to reset to, by name, each a set of <c>spec.kafka.config</c> keys: the
    /// AppHost passes the cluster's modest starting config and Kafka's own defaults for the same keys.
    /// </summary>
    public Dictionary<string, Dictionary<string, string>> Presets { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled => !string.IsNullOrWhiteSpace(Kubeconfig);

    public string BrokerPodSelector => $"strimzi.io/cluster={KafkaName},strimzi.io/kind=Kafka,strimzi.io/broker-role=true";
}

/// <summary>Checks <see cref="ClusterOptions"/> at start-up; every message names its key.</summary>
public sealed class ClusterOptionsValidator : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = ClusterOptions.SectionName;
        var failures = new List<string>();
        if (options.Enabled && !File.Exists(options.Kubeconfig))
        {
            failures.Add($"{S}:Kubeconfig: the file '{options.Kubeconfig}' does not exist.");
        }

        foreach (var (key, value) in new[] { ("Namespace", options.Namespace), ("KafkaName", options.KafkaName), ("NodePoolName", options.NodePoolName) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"{S}:{key} must be set.");
            }
        }

        if (options.PodPollSeconds is < 1 or > 300)
        {
            failures.Add($"{S}:PodPollSeconds must be from 1 to 300; it is {options.PodPollSeconds}.");
        }

        if (options.RequestTimeoutSeconds is < 1 or > 300)
        {
            failures.Add($"{S}:RequestTimeoutSeconds must be from 1 to 300; it is {options.RequestTimeoutSeconds}.");
        }

        foreach (var (preset, config) in options.Presets)
        {
            if (config.Count == 0)
            {
                failures.Add($"{S}:Presets:{preset} has no settings.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
