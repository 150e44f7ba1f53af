using System.ComponentModel.DataAnnotations;
using System.Globalization;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.Messaging.Validation;

namespace KafkaDemo.AppHost.Settings;

/// <summary>
/// <c>KafkaDemo:External</c>: external mode with an existing Kubernetes cluster where Strimzi runs
/// the Kafka. With <see cref="Kubeconfig"/> set, the AppHost reads that cluster (never creating one,
/// never installing an operator, never writing the file), follows the Kafka resource
/// <see cref="Namespace"/>/<see cref="KafkaName"/>, and deploys the agent there. Without it, external
/// mode takes the bootstrap servers of <c>ConnectionStrings:kafka</c> only.
/// </summary>
public sealed class ExternalSettings
{
    private const string S = KafkaDemoSettings.SectionName + ":External";
    private const string NameRule = "a Kubernetes name (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63)";
    private const string NamePattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";

    /// <summary>The cluster's kubeconfig file (yours: it is only read).</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig's context to use; empty: its current-context.</summary>
    public string? Context { get; set; }

    /// <summary>The namespace of the Kafka resource (default <see cref="StrimziNames.Namespace"/>).</summary>
    [Matches(NamePattern, ErrorMessage = S + ":Namespace must be " + NameRule + "; it is '{0}'.")]
    public string? Namespace { get; set; }

    /// <summary>The Kafka resource's name (default <see cref="StrimziNames.KafkaName"/>).</summary>
    [Matches(NamePattern, ErrorMessage = S + ":KafkaName must be " + NameRule + "; it is '{0}'.")]
    public string? KafkaName { get; set; }

    /// <summary>
    /// The listener (by name, in the Kafka's spec.kafka.listeners) whose status bootstrap servers the
    /// services use. Empty: the only listener of type nodeport, loadbalancer or ingress without TLS.
    /// <c>ConnectionStrings:kafka</c>, when set, overrides the status.
    /// </summary>
    public string? Listener { get; set; }

    /// <summary>
    /// The agent's image as the cluster pulls it (for example <c>registry.example.com/kafkademo-vibectl:&lt;tag&gt;</c>,
    /// built from k3d/agent and pushed by you). Empty: the agent is not deployed and says so, since
    /// an existing cluster cannot get the image by k3d image import.
    /// </summary>
    public string? AgentImage { get; set; }

    /// <summary>
    /// Where the load's images go with <c>KafkaDemo:Placement=cluster</c> (for example
    /// <c>registry.example.com/kafkademo</c>): a registry (and path) the cluster pulls from and this
    /// machine's docker may push to. The images are tagged <c>&lt;Registry&gt;/&lt;name&gt;:&lt;hash&gt;</c> and pushed.
    /// </summary>
    // distribution/reference's grammar, without tag or digest: a domain (optional :port), then lowercase path components.
    [Matches(@"^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:[0-9]+)?(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$",
        ErrorMessage = S + ":Registry must be an image name prefix without tag (a registry host, optional :port, then lowercase path parts, e.g. registry.example.com/kafkademo); it is '{0}'.")]
    public string? Registry { get; set; }

    /// <summary>
    /// The name of a docker-registry Secret (<c>kubernetes.io/dockerconfigjson</c>) in <c>kafkademo-load</c> that
    /// the load's pods pull their images from <see cref="Registry"/> with (their pod templates' imagePullSecrets),
    /// for a registry that needs a login. Empty: the cluster pulls without one. The AppHost never creates it:
    /// you do (<c>kubectl -n kafkademo-load create secret docker-registry ...</c>), and bring-up fails saying so
    /// when it is not there. Only with <c>KafkaDemo:Placement=cluster</c>.
    /// </summary>
    // A Secret's name is a DNS-1123 subdomain (apimachinery validation NameIsDNSSubdomain: at most 253,
    // lowercase alphanumeric, '-' and '.', starting and ending with an alphanumeric, each dot-separated part too).
    [Matches(@"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
        ErrorMessage = S + ":ImagePullSecret must be a Secret's name (a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253); it is '{0}'.")]
    public string? ImagePullSecret { get; set; }

    /// <summary>How long the Kafka resource may take to be Ready.</summary>
    [InRange(10, 3600, ErrorMessage = S + ":ReadyTimeoutSeconds must be from {1} to {2}; it is {0}.")]
    public int ReadyTimeoutSeconds { get; set; } = 300;

    /// <summary>Whether an existing cluster is given.</summary>
    public bool HasCluster => !string.IsNullOrWhiteSpace(Kubeconfig);

    public string ResolvedNamespace => string.IsNullOrWhiteSpace(Namespace) ? StrimziNames.Namespace : Namespace;

    public string ResolvedKafkaName => string.IsNullOrWhiteSpace(KafkaName) ? StrimziNames.KafkaName : KafkaName;

    /// <summary>The kubeconfig's full path (a leading ~ is the home folder).</summary>
    public string? ResolvedKubeconfig => !HasCluster ? null
        : Kubeconfig!.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), Kubeconfig[2..])
        : Path.GetFullPath(Kubeconfig!);

    /// <summary>
    /// The rules between the keys of this section and the mode: every key here but the kubeconfig
    /// needs the kubeconfig, the kubeconfig needs <c>KafkaDemo:Mode=external</c> and must exist.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(DemoMode mode, string modeText)
    {
        var dependent = new (string Key, string? Value)[]
        {
            ("Context", Context), ("Namespace", Namespace), ("KafkaName", KafkaName), ("Listener", Listener), ("AgentImage", AgentImage), ("Registry", Registry), ("ImagePullSecret", ImagePullSecret),
        };
        if (!HasCluster)
        {
            foreach (var (key, value) in dependent.Where(d => !string.IsNullOrWhiteSpace(d.Value)))
            {
                yield return new ValidationResult($"{S}:{key} needs {S}:Kubeconfig (the existing cluster's kubeconfig); {S}:Kubeconfig is not set.");
            }

            yield break;
        }

        if (mode != DemoMode.External)
        {
            yield return new ValidationResult($"{S}:Kubeconfig is for {KafkaDemoSettings.SectionName}:Mode=external (an existing cluster); {KafkaDemoSettings.SectionName}:Mode is '{modeText}'.");
        }

        if (!File.Exists(ResolvedKubeconfig))
        {
            yield return new ValidationResult(string.Create(CultureInfo.InvariantCulture, $"{S}:Kubeconfig must be a kubeconfig file; there is no file at {ResolvedKubeconfig}."));
        }
    }
}
