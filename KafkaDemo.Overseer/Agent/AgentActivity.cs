using KafkaDemo.Overseer.Cluster;

namespace KafkaDemo.Overseer.Agent;

/// <summary>The agent's state, for the page, the API and its summary.</summary>
public enum AgentState
{
    /// <summary>No agent in this mode (embedded, or external without a cluster).</summary>
    None,

    /// <summary>Deployed, but without an LLM key.</summary>
    NotConfigured,

    Idle,

    Running,

    Paused,

    /// <summary>The last round failed (or could not start); the next one may succeed.</summary>
    Failed,
}

/// <summary>The figures at one moment, as the agent is told and judged by them.</summary>
public sealed record AgentFigures(
    DateTimeOffset At,
    double TargetRate,
    double ActualRate,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double SloP99Ms,
    double? MaxSustainableRate);

/// <summary>One agent round.</summary>
/// <param name="Number">1, 2, ...</param>
/// <param name="Trigger">"schedule" or "manual".</param>
/// <param name="Before">The figures when it started.</param>
/// <param name="After">The figures when the next round started (null for the latest round).</param>
/// <param name="Changes">Spec changes the Overseer saw while it ran.</param>
public sealed record AgentRound(
    int Number,
    string Trigger,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    int? ExitCode,
    bool TimedOut,
    string? Error,
    AgentFigures Before,
    AgentFigures? After,
    IReadOnlyList<ClusterChange> Changes)
{
    public long? DurationMs => EndedAt is { } end ? (long)(end - StartedAt).TotalMilliseconds : null;
}

/// <summary>A spec change and the figures when it was seen: the start of its measured effect.</summary>
public sealed record ObservedChange(ClusterChange Change, AgentFigures FiguresThen);

/// <summary>
/// What the agent is doing and has done: its state, its rounds, the last lines it printed and the
/// cluster changes seen. Written by the agent loop and the cluster watcher; read by the page, the
/// API, the feedback and the run export. Thread-safe.
/// </summary>
public sealed class AgentActivity(Func<AgentFigures> measure, int outputLines = 400) : IClusterChangeListener
{
    /// <summary>How long after a round ends a change seen by the watch is still that round's.</summary>
    public static readonly TimeSpan AttributionGrace = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly List<AgentRound> _rounds = [];
    private readonly LinkedList<(int Round, AgentOutputLine Line)> _output = new();
    private readonly List<ObservedChange> _changes = [];

    /// <summary>Fired after any change; handlers must not block.</summary>
    public event Action? Changed;

    public AgentState State { get; private set; } = AgentState.None;

    /// <summary>Why it is in its state, for the page ("No LLM key: set ...", the last failure).</summary>
    public string Detail { get; private set; } = "";

    public DateTimeOffset? NextRunAt { get; private set; }

    public bool Paused { get; private set; }

    /// <summary>vibectl's memory before and after the Overseer's last write.</summary>
    public (string Before, string After) LastMemory { get; private set; } = ("", "");

    public IReadOnlyList<AgentRound> Rounds
    {
        get
        {
            lock (_gate)
            {
                return [.. _rounds];
            }
        }
    }

    public IReadOnlyList<(int Round, AgentOutputLine Line)> Output
    {
        get
        {
            lock (_gate)
            {
                return [.. _output];
            }
        }
    }

    public IReadOnlyList<ObservedChange> Changes
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes];
            }
        }
    }

    public AgentRound? Running
    {
        get
        {
            lock (_gate)
            {
                return _rounds.Count > 0 && _rounds[^1].EndedAt is null ? _rounds[^1] : null;
            }
        }
    }

    public void SetState(AgentState state, string detail)
    {
        lock (_gate)
        {
            State = Paused && state == AgentState.Idle ? AgentState.Paused : state;
            Detail = detail;
        }

        Changed?.Invoke();
    }

    public void SetPaused(bool paused)
    {
        lock (_gate)
        {
            Paused = paused;
            if (paused && State == AgentState.Idle)
            {
                State = AgentState.Paused;
            }
            else if (!paused && State == AgentState.Paused)
            {
                State = AgentState.Idle;
            }
        }

        Changed?.Invoke();
    }

    public void SetNextRun(DateTimeOffset? at)
    {
        NextRunAt = at;
        Changed?.Invoke();
    }

    public void SetMemory(string before, string after)
    {
        LastMemory = (before, after);
        Changed?.Invoke();
    }

    /// <summary>Starts a round; the previous round's "after" figures are these.</summary>
    public AgentRound Begin(string trigger, AgentFigures figures)
    {
        AgentRound round;
        lock (_gate)
        {
            if (_rounds.Count > 0 && _rounds[^1].After is null)
            {
                _rounds[^1] = _rounds[^1] with { After = figures };
            }

            round = new AgentRound(_rounds.Count + 1, trigger, figures.At, null, null, false, null, figures, null, []);
            _rounds.Add(round);
            State = AgentState.Running;
            Detail = $"Round {round.Number} ({trigger})";
        }

        Changed?.Invoke();
        return round;
    }

    public void End(int number, DateTimeOffset at, int? exitCode, bool timedOut, string? error)
    {
        lock (_gate)
        {
            var index = _rounds.FindIndex(r => r.Number == number);
            if (index >= 0)
            {
                _rounds[index] = _rounds[index] with { EndedAt = at, ExitCode = exitCode, TimedOut = timedOut, Error = error };
            }

            var failed = timedOut || error is not null || exitCode is not 0;
            State = failed ? AgentState.Failed : Paused ? AgentState.Paused : AgentState.Idle;
            Detail = timedOut ? $"Round {number} timed out and was stopped."
                : error is not null ? $"Round {number} failed: {error}"
                : exitCode is not 0 ? $"Round {number} ended with exit code {exitCode}."
                : $"Round {number} done.";
        }

        Changed?.Invoke();
    }

    public void AddLine(int round, AgentOutputLine line)
    {
        lock (_gate)
        {
            _output.AddLast((round, line));
            while (_output.Count > outputLines)
            {
                _output.RemoveFirst();
            }
        }

        Changed?.Invoke();
    }

    public void OnClusterChange(ClusterChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var figures = measure();
        lock (_gate)
        {
            _changes.Add(new ObservedChange(change, figures));
            if (_changes.Count > 200)
            {
                _changes.RemoveAt(0);
            }

            // A change belongs to the round that ran when it was made; the watch may report it a
            // moment after vibectl exited.
            if (_rounds.Count > 0 && (_rounds[^1].EndedAt is not { } ended || change.At <= ended + AttributionGrace))
            {
                _rounds[^1] = _rounds[^1] with { Changes = [.. _rounds[^1].Changes, change] };
            }
        }

        Changed?.Invoke();
    }

    public static string Name(AgentState state) => state switch
    {
        AgentState.NotConfigured => "not-configured",
        _ => state.ToString().ToLowerInvariant(),
    };
}
