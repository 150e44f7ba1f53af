using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.Messaging.Limits;
using KafkaDemo.Messaging.Topics;
using KafkaDemo.Messaging.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace KafkaDemo.AppHost.Settings;

/// <summary>
/// The AppHost's configuration section <c>KafkaDemo</c>. Set keys in appsettings.json, with
/// environment variables (<c>KafkaDemo__Mode=embedded</c>) or on the command line
/// (<c>--KafkaDemo:Mode=embedded</c>). Checked before anything starts by <see cref="KafkaDemoSettingsValidator"/>,
/// as the services check their options: the attributes (of the nested sections too), then each
/// section's <c>Validate</c> for what they cannot say.
/// </summary>
public sealed class KafkaDemoSettings : IValidatableObject
{
    public const string SectionName = "KafkaDemo";

    /// <summary>auto, embedded, k3d or external.</summary>
    public string Mode { get; set; } = "auto";

    /// <summary>host (the default: producers and consumers as processes here) or cluster (as Deployments in the k3d cluster).</summary>
    public string Placement { get; set; } = "host";

    /// <summary>Weighted topics, for example "orders:3,clicks:1".</summary>
    public string Topics { get; set; } = "orders:3,clicks:1";

    /// <summary>Partitions per topic (embedded and k3d modes create the topics).</summary>
    [InRange(1, ClusterLimits.MaxPartitions, ErrorMessage = SectionName + ":Partitions must be from {1} to {2}; it is {0}.")]
    public int Partitions { get; set; } = 6;

    /// <summary>Replicas per partition.</summary>
    [InRange(1, ClusterLimits.MaxBrokers, ErrorMessage = SectionName + ":ReplicationFactor must be from {1} to {2}; it is {0}.")]
    public int ReplicationFactor { get; set; } = 3;

    /// <summary>The producer's initial target rate, messages per second (0 is unthrottled).</summary>
    public double Rate { get; set; } = 2000;

    /// <summary>Message size: "512" or "256-4096" bytes.</summary>
    [NotBlank(ErrorMessage = SectionName + ":MessageSize must be a size such as 512 or a range such as 256-4096.")]
    public string MessageSize { get; set; } = "512";

    /// <summary>Producer instances (resources producer, or producer-1..N).</summary>
    [InRange(1, 8, ErrorMessage = SectionName + ":Producers must be from {1} to {2}; it is {0}.")]
    public int Producers { get; set; } = 1;

    /// <summary>Consumer instances (resources consumer, or consumer-1..N), one consumer group.</summary>
    [InRange(1, 12, ErrorMessage = SectionName + ":Consumers must be from {1} to {2}; it is {0}.")]
    public int Consumers { get; set; } = 1;

    [ValidateObjectMembers]
    public EmbeddedKafkaSettings Embedded { get; set; } = new();

    [ValidateObjectMembers]
    public K3dSettings K3d { get; set; } = new();

    [ValidateObjectMembers]
    public ExternalSettings External { get; set; } = new();

    [ValidateObjectMembers]
    public AgentSettings Agent { get; set; } = new();

    [ValidateObjectMembers]
    public ControllerDefaults Controller { get; set; } = new();

    [ValidateObjectMembers]
    public PortSettings Ports { get; set; } = new();

    public DemoMode ParsedMode => Enum.Parse<DemoMode>(Mode, ignoreCase: true);

    public LoadPlacement ParsedPlacement => Enum.Parse<LoadPlacement>(Placement, ignoreCase: true);

    public static KafkaDemoSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetSection(SectionName).Get<KafkaDemoSettings>() ?? new KafkaDemoSettings();
    }

    /// <summary>Every problem, each naming its configuration key.</summary>
    public IReadOnlyList<string> Problems() => new KafkaDemoSettingsValidator().Validate(null, this).Failures?.ToList() ?? [];

    /// <summary>
    /// The rules the attributes cannot state: the mode and topic spec, the shared rate rule split
    /// over the producers, and settings checked against each other.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        const string S = SectionName;
        if (!Enum.TryParse<DemoMode>(Mode, ignoreCase: true, out var mode) || !Enum.IsDefined(mode) || int.TryParse(Mode, out _))
        {
            yield return new ValidationResult($"{S}:Mode must be auto, embedded, k3d or external; it is '{Mode}'.");
        }

        if (!Enum.TryParse<LoadPlacement>(Placement, ignoreCase: true, out var placement) || !Enum.IsDefined(placement) || int.TryParse(Placement, out _))
        {
            yield return new ValidationResult($"{S}:Placement must be host or cluster; it is '{Placement}'.");
        }
        else if (placement != LoadPlacement.Cluster && External.HasCluster && !string.IsNullOrWhiteSpace(External.ImagePullSecret))
        {
            // Only the load's pods pull from the registry: with the load on this machine the Secret would be named for nothing.
            yield return new ValidationResult($"{S}:External:ImagePullSecret is for the load's pods in the cluster ({S}:Placement=cluster); {S}:Placement is '{Placement}'.");
        }
        else if (placement == LoadPlacement.Cluster)
        {
            if (mode == DemoMode.External && External.HasCluster)
            {
                if (string.IsNullOrWhiteSpace(External.Registry))
                {
                    // An existing cluster cannot get the images by k3d image import: they go through a registry it pulls from.
                    yield return new ValidationResult($"{S}:Placement=cluster with an existing cluster needs {S}:External:Registry (a registry the cluster pulls from and docker here may push to, e.g. registry.example.com/kafkademo); it is not set.");
                }

                if (External.ResolvedNamespace != StrimziNames.Namespace || External.ResolvedKafkaName != StrimziNames.KafkaName)
                {
                    // The Overseer finds the load's pods with its own identity, which k3d/overseer's Roles grant for kafka/kafkademo only.
                    yield return new ValidationResult($"{S}:Placement=cluster with an existing cluster needs the Kafka {StrimziNames.Namespace}/{StrimziNames.KafkaName} (the Overseer's Roles name it); {S}:External:Namespace and {S}:External:KafkaName name {External.ResolvedNamespace}/{External.ResolvedKafkaName}.");
                }
            }
            else if (mode != DemoMode.K3d)
            {
                yield return new ValidationResult($"{S}:Placement=cluster needs {S}:Mode=k3d, or {S}:Mode=external with {S}:External:Kubeconfig and {S}:External:Registry (the load runs in a Kubernetes cluster); {S}:Mode is '{Mode}'{(mode == DemoMode.External ? $" and {S}:External:Kubeconfig is not set" : "")}.");
            }

            if (Consumers > Partitions)
            {
                yield return new ValidationResult(string.Create(CultureInfo.InvariantCulture,
                    $"{S}:Consumers ({Consumers}) cannot exceed {S}:Partitions ({Partitions}) with {S}:Placement=cluster: a consumer beyond the partition count gets no partition."));
            }
        }

        foreach (var problem in External.Validate(mode, Mode))
        {
            yield return problem;
        }

        if (!TopicSpec.TryParse(Topics, out _, out var topicError))
        {
            yield return new ValidationResult($"{S}:Topics: {topicError}");
        }

        if (ReplicationFactor is >= 1 and <= ClusterLimits.MaxBrokers && ReplicationFactor > Embedded.Brokers && mode is DemoMode.Embedded or DemoMode.Auto)
        {
            yield return new ValidationResult($"{S}:ReplicationFactor ({ReplicationFactor}) cannot exceed {S}:Embedded:Brokers ({Embedded.Brokers}).");
        }

        if (RateLimit.TotalProblem(Rate, Math.Max(1, Producers)) is { } rateProblem)
        {
            yield return new ValidationResult($"{S}:Rate (split over {S}:Producers) {rateProblem}");
        }

        if (Controller.MinRate < RateLimit.Min * Producers)
        {
            yield return new ValidationResult(string.Create(CultureInfo.InvariantCulture,
                $"{S}:Controller:MinRate ({Controller.MinRate}) must leave each of the {Producers} producers at least {RateLimit.Min} message per second."));
        }
    }

    /// <summary>Throws one exception that lists every problem.</summary>
    /// <exception cref="InvalidSettingsException">A setting is invalid.</exception>
    public void ThrowIfInvalid()
    {
        var errors = Problems();
        if (errors.Count > 0)
        {
            throw new InvalidSettingsException(errors);
        }
    }
}

/// <summary>
/// Checks <see cref="KafkaDemoSettings"/> with its nested sections; every message names its key.
/// Generated by the options source generator, as the services' validators are.
/// </summary>
[OptionsValidator]
public sealed partial class KafkaDemoSettingsValidator : IValidateOptions<KafkaDemoSettings>;

/// <summary><c>KafkaDemo:Embedded</c>: the embedded Kafka's address.</summary>
public sealed class EmbeddedKafkaSettings : IValidatableObject
{
    /// <summary>IPv4 address the brokers listen on.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port of broker 1; broker n uses Port + n - 1.</summary>
    public int Port { get; set; } = 9092;

    [InRange(1, ClusterLimits.MaxBrokers, ErrorMessage = KafkaDemoSettings.SectionName + ":Embedded:Brokers must be from {1} to {2}; it is {0}.")]
    public int Brokers { get; set; } = 3;

    public string BootstrapServers => string.Join(',', Enumerable.Range(0, Brokers).Select(i => $"{Host}:{Port + i}"));

    /// <summary>The rule the attributes cannot state: a port, and as many after it as there are brokers.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Port is < 1 or > IPEndPoint.MaxPort || Port + Brokers - 1 > IPEndPoint.MaxPort)
        {
            yield return new ValidationResult(
                $"{KafkaDemoSettings.SectionName}:Embedded:Port must leave room for {Brokers} consecutive ports below 65536; it is {Port}.");
        }
    }
}

/// <summary>
/// <c>KafkaDemo:Controller</c>: the Overseer's rate controller at start (SLO and on/off can change
/// at runtime). Defaults and bounds are the shared <see cref="ControllerLimits"/>, which the Overseer uses too.
/// </summary>
public sealed class ControllerDefaults : IValidatableObject
{
    public bool Enabled { get; set; } = ControllerLimits.DefaultEnabled;

    /// <summary>End-to-end p99 SLO in milliseconds.</summary>
    public double SloP99Ms { get; set; } = ControllerLimits.DefaultSloP99Ms;

    public double MinRate { get; set; } = ControllerLimits.DefaultMinRate;

    public double MaxRate { get; set; } = ControllerLimits.DefaultMaxRate;

    /// <summary>Seconds of measurements per decision.</summary>
    public int WindowSeconds { get; set; } = ControllerLimits.DefaultWindowSeconds;

    /// <summary>The rules the Overseer's <c>Overseer:Controller</c> shares (<see cref="ControllerLimits.Problems"/>): shared bounds, and MaxRate against MinRate.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        ControllerLimits.Problems($"{KafkaDemoSettings.SectionName}:Controller", SloP99Ms, MinRate, MaxRate, WindowSeconds)
            .Select(problem => new ValidationResult(problem));
}

/// <summary><c>KafkaDemo:Ports</c>: fixed HTTP ports on localhost.</summary>
public sealed class PortSettings
{
    [InRange(1, IPEndPoint.MaxPort, ErrorMessage = KafkaDemoSettings.SectionName + ":Ports:Overseer must be a TCP port ({1} to {2}); it is {0}.")]
    public int Overseer { get; set; } = 5100;

    [InRange(1, IPEndPoint.MaxPort, ErrorMessage = KafkaDemoSettings.SectionName + ":Ports:Producer must be a TCP port ({1} to {2}); it is {0}.")]
    public int Producer { get; set; } = 5101;

    [InRange(1, IPEndPoint.MaxPort, ErrorMessage = KafkaDemoSettings.SectionName + ":Ports:Consumer must be a TCP port ({1} to {2}); it is {0}.")]
    public int Consumer { get; set; } = 5102;
}
