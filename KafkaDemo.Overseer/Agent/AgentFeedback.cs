using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KafkaDemo.Overseer.Aggregation;
using KafkaDemo.Overseer.Api;
using KafkaDemo.Overseer.Cluster;
using KafkaDemo.Overseer.Control;
using KafkaDemo.Overseer.Fleet;

namespace KafkaDemo.Overseer.Agent;

/// <summary>
/// What the Overseer tells the agent before each round, as the block it owns in vibectl's memory:
/// target and actual rate, p50, p99 and p99.9 against the SLO, the max sustainable rate, the trend
/// since the agent's last change and the measured effect of its recent changes. It holds no secret:
/// only figures and broker settings. Every value from outside the Overseer (config keys and
/// values, field managers, preset names) is escaped (<see cref="AgentMemory.Escape"/>), so none can close the block.
/// </summary>
public sealed partial class AgentFeedback(
    IProducerFleet producers,
    ControlLoop control,
    SustainableRateRecord sustainable,
    KafkaClusterState cluster,
    TimeProvider time) : IMergedSecondListener
{
    /// <summary>How long the block may be: the rest of vibectl's memory is the agent's.</summary>
    public const int MaxBlockChars = 1000;

    /// <summary>The seconds the agent's latency figures cover: steadier than the page's 10 s, fresh enough for a 2-minute round.</summary>
    public const int LatencySeconds = 60;

    private readonly RecentIntervals _recent = new(LatencySeconds);

    public Task OnSecondAsync(MergedInterval interval, double targetRate, CancellationToken cancellationToken) =>
        _recent.OnSecondAsync(interval, targetRate, cancellationToken);

    private const int ChangesShown = 4;

    /// <summary>The figures now.</summary>
    public AgentFigures Measure()
    {
        var (latency, _) = _recent.Latency(LatencySeconds);
        return new AgentFigures(
            time.GetUtcNow(),
            producers.TargetRate,
            producers.ActualRate,
            latency.P50,
            latency.P99,
            latency.P999,
            control.Settings.SloP99Ms,
            sustainable.Current.Rate);
    }

    /// <summary>The block, between its markers, at most <see cref="MaxBlockChars"/> characters.</summary>
    public string Block(IReadOnlyList<ObservedChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var now = Measure();
        var text = new StringBuilder();
        text.Append(AgentMemory.Start).Append(CultureInfo.InvariantCulture, $" measured {now.At:yyyy-MM-dd HH:mm:ss} UTC\n");
        text.Append(CultureInfo.InvariantCulture,
            $"SLO: p99 <= {now.SloP99Ms:0.#} ms. Rate: target {now.TargetRate:N0}/s, actual {now.ActualRate:N0}/s (controller {OverseerReport.StateName(control.State)}).\n");
        var verdict = now.P99Ms <= now.SloP99Ms ? "within the SLO" : "ABOVE the SLO";
        text.Append(CultureInfo.InvariantCulture,
            $"Last {LatencySeconds} s: p50 {now.P50Ms:0.0} ms, p99 {now.P99Ms:0.0} ms, p99.9 {now.P999Ms:0.0} ms ({verdict}).\n");
        var current = sustainable.Current;
        text.Append(CultureInfo.InvariantCulture, $"Max sustainable rate at SLO: {current.Describe()} under the config since {current.Since:HH:mm} ({AgentMemory.Escape(current.Configuration)})");
        if (sustainable.Previous is [var before, ..])
        {
            text.Append(CultureInfo.InvariantCulture, $"; before that {before.Describe()}");
        }

        text.Append(".\n");
        if (changes.Count > 0)
        {
            var last = changes[^1];
            var minutes = (now.At - last.Change.At).TotalMinutes;
            text.Append(CultureInfo.InvariantCulture,
                $"Since the last change ({AgentMemory.Escape(last.Change.Summary)}, {minutes:0} min ago): p99 {last.FiguresThen.P99Ms:0.0} -> {now.P99Ms:0.0} ms, actual rate {last.FiguresThen.ActualRate:N0} -> {now.ActualRate:N0}/s.\n");
            text.Append("Effect of recent changes on the max sustainable rate:\n");
            foreach (var line in Effects(changes))
            {
                text.Append("- ").Append(line).Append('\n');
            }
        }
        else
        {
            text.Append("No broker config change yet.\n");
        }

        var config = cluster.BrokerConfig;
        if (config.Count > 0)
        {
            text.Append("Broker config now: ").Append(string.Join(", ", config.Where(p => IsTuning(p.Key)).Select(p => $"{AgentMemory.Escape(p.Key)}={AgentMemory.Escape(p.Value)}"))).Append(".\n");
        }

        var brokers = cluster.Brokers;
        if (brokers.Desired > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Brokers ready {brokers.Ready}/{brokers.Desired}.\n");
        }

        return Fit(text.ToString());
    }

    /// <summary>Each recent change with the max sustainable rate measured before and after it.</summary>
    private IEnumerable<string> Effects(IReadOnlyList<ObservedChange> changes)
    {
        var measurements = sustainable.Previous.Reverse().Append(sustainable.Current).ToList();
        foreach (var observed in changes.TakeLast(ChangesShown).Reverse())
        {
            var after = measurements.FirstOrDefault(m => m.Since == observed.Change.At);
            var index = after is null ? -1 : measurements.IndexOf(after);
            var before = index > 0 ? measurements[index - 1] : null;
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{observed.Change.At:HH:mm} {AgentMemory.Escape(observed.Change.Summary)} ({AgentMemory.Escape(observed.Change.FieldManager)}): {before?.Describe() ?? "?"} -> {after?.Describe() ?? "?"}");
        }
    }

    /// <summary>
    /// Whether <paramref name="line"/> (trimmed) is one <see cref="Block"/> writes: what is left of a
    /// block whose other marker vibectl's memory rewrite lost, as opposed to the agent's own notes.
    /// </summary>
    public static bool IsOwnLine(string line) => OwnLine().IsMatch(line ?? "");

    /// <summary>The shapes of the block's lines, one per line <see cref="Block"/> writes.</summary>
    [GeneratedRegex(
        @"^(measured \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC|SLO: p99 <= .* Rate: target .*|Last \d+ s: p50 .*|Max sustainable rate at SLO: .*"
        + @"|Since the last change \(.*|Effect of recent changes on the max sustainable rate:|- \d{2}:\d{2} .* -> .*|No broker config change yet\."
        + @"|Broker config now: .*|Brokers ready \d+/\d+\.)$",
        RegexOptions.CultureInvariant)]
    private static partial Regex OwnLine();

    private static bool IsTuning(string key) =>
        key.Contains("threads", StringComparison.Ordinal) || key.Contains("buffer", StringComparison.Ordinal)
        || key.StartsWith("queued.", StringComparison.Ordinal) || key.StartsWith("socket.", StringComparison.Ordinal);

    /// <summary>Cuts lines from the end of the change list until the block fits, then closes it.</summary>
    private static string Fit(string body)
    {
        var lines = body.TrimEnd('\n').Split('\n').ToList();
        while (string.Join('\n', lines).Length + 1 + AgentMemory.End.Length > MaxBlockChars && lines.Count > 4)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var text = string.Join('\n', lines);
        if (text.Length + 1 + AgentMemory.End.Length > MaxBlockChars)
        {
            text = text[..(MaxBlockChars - 1 - AgentMemory.End.Length)];
        }

        return $"{text}\n{AgentMemory.End}";
    }
}
