namespace KafkaDemo.Messaging.Contracts;

/// <summary>The Overseer's <c>GET /api/summary</c> document.</summary>
public sealed record OverseerSummary(
    string Mode,
    KafkaSummary Kafka,
    ProducerFleetSummary Producer,
    ConsumerFleetSummary Consumer,
    ControllerSummary Controller,
    AgentSummary Agent,
    IReadOnlyList<string> StaleInstances);

public sealed record KafkaSummary(string BootstrapServers, string Health);

/// <summary>
/// All producers together. Rates (messages per second) over the live ones; counts since the
/// Overseer started, over every instance and every restart of it, including instances that stopped reporting.
/// </summary>
public sealed record ProducerFleetSummary(
    int Instances,
    double TargetRate,
    double ActualRate,
    long Sent,
    long Failed,
    bool Paused,
    long Acked = 0,
    int Restarts = 0);

/// <summary>
/// All consumers together; latency merged over the last 10 s (ms) and rate over the live ones;
/// counts since the Overseer started, over every instance and every restart of it.
/// </summary>
public sealed record ConsumerFleetSummary(
    int Instances,
    long Received,
    long Verified,
    long IntegrityFailures,
    long Gaps,
    long Duplicates,
    double Rate,
    LatencyPercentiles LatencyMs,
    long Redelivered = 0,
    int Restarts = 0);

public sealed record LatencyPercentiles(double P50, double P99, double P999, double Max);

/// <summary>The rate controller. State is one of off, measuring, probing, holding, backing-off, unattainable.</summary>
public sealed record ControllerSummary(bool Enabled, double SloP99Ms, double MaxSustainableRate, string State, string? LastReason);

/// <summary>The agent; in embedded mode there is none.</summary>
public sealed record AgentSummary(string State, string Detail);

/// <summary>Body of the Overseer's <c>PUT /api/controller</c>; absent fields stay as they are.</summary>
public sealed record ControllerChange(bool? Enabled, double? SloP99Ms);

/// <summary>
/// What a change of the Overseer's <c>PUT /api/rate</c> or <c>PUT /api/load</c> did to one producer.
/// When any producer was not changed the answer is 503 ProblemDetails carrying one of these per
/// producer under <c>producers</c>.
/// </summary>
/// <param name="Instance">The producer's instance name.</param>
/// <param name="Url">Where the Overseer reaches it.</param>
/// <param name="Applied">Whether it took the change.</param>
/// <param name="Change">The change it was sent, for example "rate 1000/s" or "paused".</param>
/// <param name="Error">Why it was not applied.</param>
public sealed record ProducerChangeOutcome(string Instance, string Url, bool Applied, string Change, string? Error);
