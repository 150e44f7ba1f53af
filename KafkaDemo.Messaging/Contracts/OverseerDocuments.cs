namespace KafkaDemo.Messaging.Contracts;

/// <summary>The Overseer's <c>GET /api/summary</c> document.</summary>
public sealed record OverseerSummary(
    string Mode,
    KafkaSummary Kafka,
    ProducerFleetSummary Producer,
    ConsumerFleetSummary Consumer,
    ControllerSummary Controller,
    AgentSummary Agent,
    IReadOnlyList<string> StaleInstances,
    IReadOnlyList<InstanceSummary> Instances);

/// <summary>One producer or consumer the Overseer polls now (a pod, when it discovers them in Kubernetes).</summary>
/// <param name="Name">Its instance name (a pod's name).</param>
/// <param name="Role">"producer" or "consumer".</param>
/// <param name="State">"healthy", "unhealthy" or "stale" (left out of the figures).</param>
/// <param name="Address">Where it is polled: a base URL, or the pod through the API server's proxy.</param>
public sealed record InstanceSummary(string Name, string Role, string State, string Address);

/// <summary>Kafka: where it is, how healthy; in k3d mode also the brokers ready versus desired and the broker config.</summary>
public sealed record KafkaSummary(
    string BootstrapServers,
    string Health,
    int? BrokersReady = null,
    int? BrokersDesired = null,
    IReadOnlyDictionary<string, string>? BrokerConfig = null);

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
/// <param name="Gaps">Messages missing from their producer's stream although the log's offsets were contiguous: lost on the way into the log.</param>
/// <param name="Lost">Records the log removed (retention) before a consumer read them: lost after they were written.</param>
/// <param name="LostLast10s">Of <paramref name="Lost"/>, those the Overseer learned of in the last 10 s.</param>
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
    int Restarts = 0,
    long Lost = 0,
    long LostLast10s = 0);

public sealed record LatencyPercentiles(double P50, double P99, double P999, double Max);

/// <summary>
/// The rate controller. State is one of off, measuring, probing, holding, backing-off, unattainable.
/// <paramref name="MaxSustainableRate"/> is the best rate held within the SLO under the current
/// cluster configuration (0 while <paramref name="Sustainable"/> is still measuring).
/// </summary>
public sealed record ControllerSummary(
    bool Enabled,
    double SloP99Ms,
    double MaxSustainableRate,
    string State,
    string? LastReason,
    SustainableRate? Sustainable = null,
    IReadOnlyList<SustainableRate>? PreviousSustainable = null);

/// <summary>The max sustainable rate measured under one cluster configuration (and SLO).</summary>
/// <param name="Measuring">True until a rate has held within the SLO.</param>
/// <param name="Rate">The best rate held, messages per second.</param>
/// <param name="P99Ms">The p99 of the windows that held it.</param>
/// <param name="Since">When this configuration began.</param>
/// <param name="Until">When the next began (null for the current one).</param>
/// <param name="Configuration">What began it: "start of the run", "num.io.threads 2→4 (kubectl-patch)", an SLO change.</param>
public sealed record SustainableRate(bool Measuring, double? Rate, double? P99Ms, DateTimeOffset Since, DateTimeOffset? Until, string Configuration);

/// <summary>
/// The agent. State is one of none (no agent in this mode), not-configured, idle, running, paused,
/// failed; <paramref name="Detail"/> says why.
/// </summary>
public sealed record AgentSummary(
    string State,
    string Detail,
    int Rounds = 0,
    AgentRunSummary? LastRun = null,
    DateTimeOffset? NextRunAt = null,
    IReadOnlyList<string>? LastChanges = null);

/// <summary>
/// The latest agent round: when it started, how it ended, how long it took. <paramref name="Result"/>
/// is ok, failed or timed-out (null while it runs); <paramref name="Reason"/> says why it is not ok (the
/// first error vibectl printed, or why the round could not run). vibectl exits 0 when it fails, so
/// <paramref name="ExitCode"/> is only data.
/// </summary>
public sealed record AgentRunSummary(
    int Round,
    DateTimeOffset StartedAt,
    int? ExitCode,
    long? DurationMs,
    bool TimedOut,
    string? Result = null,
    string? Reason = null,
    DateTimeOffset? EndedAt = null);

/// <summary>
/// The Overseer's <c>GET /api/agent</c> document: the summary, the rounds remembered (oldest first,
/// each with its output) and the memory the Overseer last wrote.
/// </summary>
public sealed record AgentDocument(AgentSummary Summary, IReadOnlyList<AgentRoundDocument> Rounds, string MemoryBefore, string MemoryAfter);

/// <summary>One agent round as <c>GET /api/agent</c> gives it.</summary>
/// <param name="Round">Its number.</param>
/// <param name="Trigger">schedule or manual.</param>
/// <param name="Result">ok, failed or timed-out; null while it runs.</param>
/// <param name="Reason">Why it is not ok.</param>
/// <param name="ExitCode">vibectl's exit code, as data.</param>
/// <param name="Pod">The agent pod it ran in.</param>
/// <param name="Changes">Spec changes seen while it ran, such as <c>num.io.threads 2→4 (kubectl-patch)</c>.</param>
/// <param name="Lines">What it printed, in the order read (stdout and stderr interleaved as they arrived).</param>
/// <param name="LinesLeftOut">Lines the Overseer did not keep (the middle of a very long round, or all of an old round's).</param>
public sealed record AgentRoundDocument(
    int Round,
    string Trigger,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    long? DurationMs,
    string? Result,
    string? Reason,
    int? ExitCode,
    string? Pod,
    IReadOnlyList<string> Changes,
    IReadOnlyList<AgentLine> Lines,
    int LinesLeftOut);

/// <summary>
/// One line an agent round printed. <paramref name="Stream"/> is stdout, stderr or overseer (the
/// Overseer's own lines); <paramref name="Kind"/> is planning, kubectl-command, command-done,
/// summary, note, warning, error or other.
/// </summary>
public sealed record AgentLine(DateTimeOffset At, string Stream, string Kind, string Text);

/// <summary>Body of the Overseer's <c>PUT /api/agent</c>.</summary>
public sealed record AgentChange(bool? Paused);

/// <summary>Body of the Overseer's <c>PUT /api/cluster/broker-config</c>: a preset name (modest, kafka-defaults).</summary>
public sealed record BrokerConfigReset(string? Preset);

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
