using System.Globalization;
using KafkaDemo.AppHost.Modes;
using KafkaDemo.Messaging.Limits;
using KafkaDemo.Messaging.Topics;
using Microsoft.Extensions.Configuration;

namespace KafkaDemo.AppHost.Settings;

/// <summary>
/// The AppHost's configuration section <c>KafkaDemo</c>. Set keys in appsettings.json, with
/// environment variables (<c>KafkaDemo__Mode=embedded</c>) or on the command line
/// (<c>--KafkaDemo:Mode=embedded</c>).
/// </summary>
public sealed class KafkaDemoSettings
{
    public const string SectionName = "KafkaDemo";

    /// <summary>auto, embedded, k3d or external.</summary>
    public string Mode { get; set; } = "auto";

    /// <summary>Weighted topics, for example "orders:3,clicks:1".</summary>
    public string Topics { get; set; } = "orders:3,clicks:1";

    /// <summary>Partitions per topic (embedded and k3d modes create the topics).</summary>
    public int Partitions { get; set; } = 6;

    /// <summary>Replicas per partition.</summary>
    public int ReplicationFactor { get; set; } = 3;

    /// <summary>The producer's initial target rate, messages per second (0 is unthrottled).</summary>
    public double Rate { get; set; } = 2000;

    /// <summary>Message size: "512" or "256-4096" bytes.</summary>
    public string MessageSize { get; set; } = "512";

    /// <summary>Producer instances (resources producer, or producer-1..N).</summary>
    public int Producers { get; set; } = 1;

    /// <summary>Consumer instances (resources consumer, or consumer-1..N), one consumer group.</summary>
    public int Consumers { get; set; } = 1;

    public EmbeddedKafkaSettings Embedded { get; set; } = new();

    public K3dSettings K3d { get; set; } = new();

    public AgentSettings Agent { get; set; } = new();

    public ControllerDefaults Controller { get; set; } = new();

    public PortSettings Ports { get; set; } = new();

    public DemoMode ParsedMode => Enum.Parse<DemoMode>(Mode, ignoreCase: true);

    public static KafkaDemoSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetSection(SectionName).Get<KafkaDemoSettings>() ?? new KafkaDemoSettings();
    }

    /// <summary>Every problem, each naming its configuration key.</summary>
    public IReadOnlyList<string> Validate()
    {
        const string S = SectionName;
        var errors = new List<string>();
        if (!Enum.TryParse<DemoMode>(Mode, ignoreCase: true, out var mode) || !Enum.IsDefined(mode) || int.TryParse(Mode, out _))
        {
            errors.Add($"{S}:Mode must be auto, embedded, k3d or external; it is '{Mode}'.");
        }

        if (!TopicSpec.TryParse(Topics, out _, out var topicError))
        {
            errors.Add($"{S}:Topics: {topicError}");
        }

        if (Partitions is < 1 or > 1000)
        {
            errors.Add($"{S}:Partitions must be from 1 to 1000; it is {Partitions}.");
        }

        if (ReplicationFactor is < 1 or > 9)
        {
            errors.Add($"{S}:ReplicationFactor must be from 1 to 9; it is {ReplicationFactor}.");
        }
        else if (ReplicationFactor > Embedded.Brokers && mode is DemoMode.Embedded or DemoMode.Auto)
        {
            errors.Add($"{S}:ReplicationFactor ({ReplicationFactor}) cannot exceed {S}:Embedded:Brokers ({Embedded.Brokers}).");
        }

        if (RateLimit.TotalProblem(Rate, Math.Max(1, Producers)) is { } rateProblem)
        {
            errors.Add($"{S}:Rate (split over {S}:Producers) {rateProblem}");
        }

        if (string.IsNullOrWhiteSpace(MessageSize))
        {
            errors.Add($"{S}:MessageSize must be a size such as 512 or a range such as 256-4096.");
        }

        if (Producers is < 1 or > 8)
        {
            errors.Add($"{S}:Producers must be from 1 to 8; it is {Producers}.");
        }

        if (Consumers is < 1 or > 12)
        {
            errors.Add($"{S}:Consumers must be from 1 to 12; it is {Consumers}.");
        }

        errors.AddRange(ControllerLimits.Problems(
            $"{S}:Controller", Controller.SloP99Ms, Controller.MinRate, Controller.MaxRate, Controller.WindowSeconds));
        if (Controller.MinRate < RateLimit.Min * Producers)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"{S}:Controller:MinRate ({Controller.MinRate}) must leave each of the {Producers} producers at least {RateLimit.Min} message per second."));
        }

        if (Embedded.Brokers is < 1 or > 9)
        {
            errors.Add($"{S}:Embedded:Brokers must be from 1 to 9; it is {Embedded.Brokers}.");
        }

        if (Embedded.Port is < 1 or > 65535 || Embedded.Port + Embedded.Brokers - 1 > 65535)
        {
            errors.Add($"{S}:Embedded:Port must leave room for {Embedded.Brokers} consecutive ports below 65536; it is {Embedded.Port}.");
        }

        errors.AddRange(K3d.Validate($"{S}:K3d"));
        errors.AddRange(Agent.Validate($"{S}:Agent"));

        foreach (var (key, port) in new[] { ("Overseer", Ports.Overseer), ("Producer", Ports.Producer), ("Consumer", Ports.Consumer) })
        {
            if (port is < 1 or > 65535)
            {
                errors.Add($"{S}:Ports:{key} must be a TCP port (1 to 65535); it is {port}.");
            }
        }

        return errors;
    }

    /// <summary>Throws one exception that lists every problem.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid AppHost configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors));
        }
    }
}

/// <summary><c>KafkaDemo:Embedded</c>: the embedded Kafka's address.</summary>
public sealed class EmbeddedKafkaSettings
{
    /// <summary>IPv4 address the brokers listen on.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port of broker 1; broker n uses Port + n - 1.</summary>
    public int Port { get; set; } = 9092;

    public int Brokers { get; set; } = 3;

    public string BootstrapServers => string.Join(',', Enumerable.Range(0, Brokers).Select(i => $"{Host}:{Port + i}"));
}

/// <summary>
/// <c>KafkaDemo:Controller</c>: the Overseer's rate controller at start (SLO and on/off can change
/// at runtime). Defaults and bounds are the shared <see cref="ControllerLimits"/>, which the Overseer uses too.
/// </summary>
public sealed class ControllerDefaults
{
    public bool Enabled { get; set; } = ControllerLimits.DefaultEnabled;

    /// <summary>End-to-end p99 SLO in milliseconds.</summary>
    public double SloP99Ms { get; set; } = ControllerLimits.DefaultSloP99Ms;

    public double MinRate { get; set; } = ControllerLimits.DefaultMinRate;

    public double MaxRate { get; set; } = ControllerLimits.DefaultMaxRate;

    /// <summary>Seconds of measurements per decision.</summary>
    public int WindowSeconds { get; set; } = ControllerLimits.DefaultWindowSeconds;
}

/// <summary><c>KafkaDemo:Ports</c>: fixed HTTP ports on localhost.</summary>
public sealed class PortSettings
{
    public int Overseer { get; set; } = 5100;

    public int Producer { get; set; } = 5101;

    public int Consumer { get; set; } = 5102;
}
