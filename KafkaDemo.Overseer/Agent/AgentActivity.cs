using System.Globalization;
using KafkaDemo.Overseer.BrokerMetrics;
using KafkaDemo.Overseer.StrimziWatch;

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

    /// <summary>The last round failed, or vibectl could not be set up; the next one may succeed.</summary>
    Failed,
}

/// <summary>The figures at one moment, as the agent is told and judged by them.</summary>
/// <param name="Brokers">The cluster's JMX figures then (null when no broker had answered).</param>
public sealed record AgentFigures(
    DateTimeOffset At,
    double TargetRate,
    double ActualRate,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double SloP99Ms,
    double? MaxSustainableRate,
    BrokerFigures? Brokers = null);

/// <summary>One agent round.</summary>
/// <param name="Number">1, 2, ...</param>
/// <param name="Trigger">"schedule" or "manual".</param>
/// <param name="Result">How it ended; null while it runs.</param>
/// <param name="Reason">Why it is not ok: the first error vibectl printed, or why the round could not run.</param>
/// <param name="ExitCode">vibectl's exit code, as data: it is 0 when vibectl fails too.</param>
/// <param name="Pod">The agent pod the whole round ran in.</param>
/// <param name="Before">The figures when it started.</param>
/// <param name="After">The figures when the next round started (null for the latest round).</param>
/// <param name="Changes">Spec changes the Overseer saw while it ran (at most <see cref="AgentActivity.MaxChangesPerRound"/>).</param>
/// <param name="Output">What it printed, each line with its stream and kind (empty once the round is older than the <see cref="AgentActivity.RoundsWithOutput"/> latest).</param>
/// <param name="LinesLeftOut">Lines not kept: the middle of a long round, or all of an old round's.</param>
public sealed record AgentRound(
    int Number,
    string Trigger,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    AgentRoundResult? Result,
    string? Reason,
    int? ExitCode,
    string? Pod,
    AgentFigures Before,
    AgentFigures? After,
    IReadOnlyList<ClusterChange> Changes,
    IReadOnlyList<AgentOutputLine> Output,
    int LinesLeftOut)
{
    public bool TimedOut => Result == AgentRoundResult.TimedOut;

    public long? DurationMs => EndedAt is { } end ? (long)(end - StartedAt).TotalMilliseconds : null;
}

/// <summary>A spec change and the figures when it was seen: the start of its measured effect.</summary>
public sealed record ObservedChange(ClusterChange Change, AgentFigures FiguresThen);

/// <summary>
/// What the agent is doing and has done: its state, its rounds with what each printed, and the
/// cluster changes seen. Written by the agent loop and the cluster watcher; read by the page, the
/// API, the feedback and the run export. Thread-safe, and bounded: the Overseer runs for days.
/// </summary>
public sealed class AgentActivity(Func<AgentFigures> measure) : IClusterChangeListener
{
    /// <summary>
    /// Rounds remembered. A round every 2 minutes (the default interval) makes 720 a day; 500 records
    /// without their output are a few hundred KB, and cover the longest run anyone exports (the
    /// export lists them all), so older rounds go first.
    /// </summary>
    public const int MaxRounds = 500;

    /// <summary>
    /// The latest rounds whose output is kept. The page shows the newest open and a few older
    /// collapsed ones; 10 rounds at the bounds below are at most 10 × 2,000 × 1,000 characters
    /// (40 MB) in the worst case, and a few hundred KB for real rounds.
    /// </summary>
    public const int RoundsWithOutput = 10;

    /// <summary>
    /// Lines kept of one round: a real <c>vibectl auto --limit 5</c> prints a few hundred (four LLM
    /// calls per iteration, each with its lines); the limit can be 50 iterations. The first and the
    /// last half are kept: how it started, and how it ended (its errors and end line).
    /// </summary>
    public const int MaxLinesPerRound = 2000;

    /// <summary>
    /// Characters kept of one line. vibectl runs with a wide COLUMNS, so one summary paragraph or a
    /// kubectl error with a long object list arrives as one line; 1,000 characters shows any of them
    /// readably, and a line longer than that is cut with a visible marker.
    /// </summary>
    public const int MaxLineChars = 1000;

    /// <summary>Changes seen and remembered for the feedback's trend (its block shows the last four).</summary>
    public const int MaxChanges = 200;

    /// <summary>Changes attributed to one round: a round makes a handful; a flood (a controller fighting the agent) stops here.</summary>
    public const int MaxChangesPerRound = 100;

    /// <summary>How long after a round ends a change seen by the watch is still that round's.</summary>
    public static readonly TimeSpan AttributionGrace = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly LinkedList<RoundRecord> _rounds = new();
    private readonly List<ObservedChange> _changes = [];
    private int _lastNumber;
    private long _revision;

    /// <summary>Fired after any change; handlers must not block.</summary>
    public event Action? Changed;

    /// <summary>
    /// A number that grows with every change: a reader that saw this value has nothing new to read
    /// until it grows (the page re-reads the rounds only then).
    /// </summary>
    public long Revision => Interlocked.Read(ref _revision);

    public AgentState State { get; private set; } = AgentState.None;

    /// <summary>Why it is in its state, for the page ("No LLM key: set ...", the last failure).</summary>
    public string Detail { get; private set; } = "";

    public DateTimeOffset? NextRunAt { get; private set; }

    public bool Paused { get; private set; }

    /// <summary>vibectl's memory before and after the Overseer's last write.</summary>
    public (string Before, string After) LastMemory { get; private set; } = ("", "");

    /// <summary>The rounds remembered, oldest first, each with its output.</summary>
    public IReadOnlyList<AgentRound> Rounds
    {
        get
        {
            lock (_gate)
            {
                return [.. _rounds.Select(r => r.Snapshot())];
            }
        }
    }

    /// <summary>The latest <paramref name="count"/> rounds, oldest first, each with its output: what the page shows, without copying the rest.</summary>
    public IReadOnlyList<AgentRound> Recent(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            var rounds = new List<AgentRound>(Math.Min(count, _rounds.Count));
            for (var node = _rounds.Last; node is not null && rounds.Count < count; node = node.Previous)
            {
                rounds.Add(node.Value.Snapshot());
            }

            rounds.Reverse();
            return rounds;
        }
    }

    /// <summary>Rounds started since the Overseer started, remembered or not.</summary>
    public int RoundCount
    {
        get
        {
            lock (_gate)
            {
                return _lastNumber;
            }
        }
    }

    /// <summary>The latest round, or null before the first.</summary>
    public AgentRound? Latest
    {
        get
        {
            lock (_gate)
            {
                return _rounds.Last?.Value.Snapshot();
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
                return _rounds.Last?.Value is { EndedAt: null } running ? running.Snapshot() : null;
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

        Notify();
    }

    public void SetPaused(bool paused)
    {
        lock (_gate)
        {
            Paused = paused;

            // After a failed round too: the page's Pause/Resume button and the API follow the state,
            // so a pause must show, and be undone, whatever the last round did.
            if (paused && State is AgentState.Idle or AgentState.Failed)
            {
                State = AgentState.Paused;
            }
            else if (!paused && State == AgentState.Paused)
            {
                State = AgentState.Idle;
            }
        }

        Notify();
    }

    public void SetNextRun(DateTimeOffset? at)
    {
        NextRunAt = at;
        Notify();
    }

    public void SetMemory(string before, string after)
    {
        LastMemory = (before, after);
        Notify();
    }

    /// <summary>Starts a round; the previous round's "after" figures are these.</summary>
    public AgentRound Begin(string trigger, AgentFigures figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        AgentRound round;
        lock (_gate)
        {
            if (_rounds.Last?.Value is { After: null } previous)
            {
                previous.After = figures;
            }

            var record = new RoundRecord(++_lastNumber, trigger, figures);
            _rounds.AddLast(record);
            Trim();
            round = record.Snapshot();
            State = AgentState.Running;
            Detail = $"Round {round.Number} ({trigger})";
        }

        Notify();
        return round;
    }

    /// <summary>The pod the round runs in, once it was found.</summary>
    public void SetPod(int number, string pod)
    {
        lock (_gate)
        {
            if (Find(number) is { } round)
            {
                round.Pod = pod;
            }
        }

        Notify();
    }

    public void End(int number, DateTimeOffset at, AgentRoundOutcome outcome, int? exitCode)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        lock (_gate)
        {
            if (Find(number) is { } round)
            {
                round.EndedAt = at;
                round.Result = outcome.Result;
                round.Reason = outcome.Reason;
                round.ExitCode = exitCode;
            }

            State = outcome.Result != AgentRoundResult.Ok ? AgentState.Failed : Paused ? AgentState.Paused : AgentState.Idle;
            Detail = outcome.Result switch
            {
                AgentRoundResult.Ok => $"Round {number} done.",
                AgentRoundResult.TimedOut => $"Round {number} timed out: {outcome.Reason}",
                _ => $"Round {number} failed: {outcome.Reason}",
            };
        }

        Notify();
    }

    /// <summary>Adds a line to a round's output, cut at <see cref="MaxLineChars"/>; past <see cref="MaxLinesPerRound"/> the middle goes.</summary>
    public void AddLine(int number, AgentOutputLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var cut = line.Text.Length > MaxLineChars ? line with { Text = CutLine(line.Text) } : line;
        lock (_gate)
        {
            Find(number)?.Add(cut);
        }

        Notify();
    }

    public void OnClusterChange(ClusterChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var figures = measure();
        lock (_gate)
        {
            _changes.Add(new ObservedChange(change, figures));
            if (_changes.Count > MaxChanges)
            {
                _changes.RemoveRange(0, _changes.Count - MaxChanges);
            }

            // A change belongs to the round that ran when it was made; the watch may report it a
            // moment after vibectl exited.
            if (_rounds.Last?.Value is { } last && (last.EndedAt is not { } ended || change.At <= ended + AttributionGrace)
                && last.Changes.Count < MaxChangesPerRound)
            {
                last.Changes.Add(change);
            }
        }

        Notify();
    }

    public static string Name(AgentState state) => state switch
    {
        AgentState.NotConfigured => "not-configured",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>The first <see cref="MaxLineChars"/> characters, and a marker saying how many more there were.</summary>
    public static string CutLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= MaxLineChars)
        {
            return text;
        }

        var keep = char.IsHighSurrogate(text[MaxLineChars - 1]) ? MaxLineChars - 1 : MaxLineChars;
        return string.Create(CultureInfo.InvariantCulture, $"{text[..keep]} … [{text.Length - keep} more characters cut by the Overseer]");
    }

    private void Notify()
    {
        Interlocked.Increment(ref _revision);
        Changed?.Invoke();
    }

    private RoundRecord? Find(int number)
    {
        for (var node = _rounds.Last; node is not null; node = node.Previous)
        {
            if (node.Value.Number == number)
            {
                return node.Value;
            }
        }

        return null;
    }

    /// <summary>Forgets the oldest rounds past <see cref="MaxRounds"/>, and the output of those past <see cref="RoundsWithOutput"/>.</summary>
    private void Trim()
    {
        while (_rounds.Count > MaxRounds)
        {
            _rounds.RemoveFirst();
        }

        var index = 0;
        for (var node = _rounds.Last; node is not null; node = node.Previous, index++)
        {
            if (index >= RoundsWithOutput)
            {
                node.Value.DropOutput();
            }
        }
    }

    /// <summary>A round as it is being recorded; <see cref="Snapshot"/> copies it for readers.</summary>
    private sealed class RoundRecord(int number, string trigger, AgentFigures before)
    {
        private const int HeadLines = MaxLinesPerRound / 2;
        private const int TailLines = MaxLinesPerRound - HeadLines;

        private readonly List<AgentOutputLine> _head = [];
        private readonly Queue<AgentOutputLine> _tail = new();
        private int _leftOut;

        public int Number => number;

        public DateTimeOffset? EndedAt { get; set; }

        public AgentRoundResult? Result { get; set; }

        public string? Reason { get; set; }

        public int? ExitCode { get; set; }

        public string? Pod { get; set; }

        public AgentFigures? After { get; set; }

        public List<ClusterChange> Changes { get; } = [];

        public void Add(AgentOutputLine line)
        {
            if (_head.Count < HeadLines)
            {
                _head.Add(line);
                return;
            }

            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
                _leftOut++;
            }
        }

        public void DropOutput()
        {
            _leftOut += _head.Count + _tail.Count;
            _head.Clear();
            _tail.Clear();
            _head.Capacity = 0;
        }

        public AgentRound Snapshot()
        {
            List<AgentOutputLine> output = [.. _head];
            if (_leftOut > 0 && _head.Count + _tail.Count > 0)
            {
                var at = _tail.TryPeek(out var next) ? next.At : _head[^1].At;
                output.Add(new AgentOutputLine(at,
                    string.Create(CultureInfo.InvariantCulture, $"… {_leftOut} lines left out: the Overseer keeps the first {HeadLines} and the last {TailLines} of a round …"),
                    AgentOutputSource.Overseer));
            }

            output.AddRange(_tail);
            return new AgentRound(number, trigger, before.At, EndedAt, Result, Reason, ExitCode, Pod, before, After, [.. Changes], output, _leftOut);
        }
    }
}
