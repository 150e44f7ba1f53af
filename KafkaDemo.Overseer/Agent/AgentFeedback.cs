using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KafkaDemo.Overseer.Aggregation;
using KafkaDemo.Overseer.BrokerMetrics;
using KafkaDemo.Overseer.Control;
using KafkaDemo.Overseer.Fleet;
using KafkaDemo.Overseer.StrimziWatch;

namespace KafkaDemo.Overseer.Agent;

/// <summary>
/// What the Overseer tells the agent before each round, as the block it owns in vibectl's memory:
/// target and actual rate, p50, p99 and p99.9 against the SLO, the brokers' JMX figures (idle ratios,
/// request queue, produce p99, under-replicated partitions), the max sustainable rate, the trend
/// since the agent's last change and the measured effect of its recent changes. It holds no secret:
/// only figures and broker settings. Every value from outside the Overseer (config keys and
/// values, field managers, preset names) is escaped (<see cref="AgentMemory.Escape"/>), so none can close the block.
/// </summary>
public sealed partial class AgentFeedback(
    IProducerFleet producers,
    ControlLoop control,
    SustainableRateRecord sustainable,
    KafkaResourceState cluster,
    BrokerMetricsBoard brokers,
    TimeProvider time) : IMergedSecondListener
{
    /// <summary>
    /// How long the block may be: the rest of vibectl's memory is the agent's. Room for every line
    /// with three brokers and a long change (about 1,100 characters); the effects of older changes
    /// and, with many brokers, the per-broker figures go first when it is short.
    /// </summary>
    public const int MaxBlockChars = 1200;

    /// <summary>The seconds the agent's latency figures cover: steadier than the page's 10 s, fresh enough for a 2-minute round.</summary>
    public const int LatencySeconds = 60;

    private readonly RecentIntervals _recent = new(LatencySeconds);

    public Task OnSecondAsync(MergedInterval interval, double targetRate, CancellationToken cancellationToken) =>
        _recent.OnSecondAsync(interval, targetRate, cancellationToken);

    private const int ChangesShown = 4;

    private const string EffectsHeader = "Effect of recent changes on the max sustainable rate:";

    private const string PerBroker = "Per broker (handler idle/network idle/queue/produce p99 ms/under-replicated): ";

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
            sustainable.Current.Rate,
            brokers.Latest.Cluster);
    }

    /// <summary>The block, between its markers, at most <see cref="MaxBlockChars"/> characters.</summary>
    public string Block(IReadOnlyList<ObservedChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var now = Measure();
        var text = new StringBuilder();
        text.Append(AgentMemory.Start).Append(CultureInfo.InvariantCulture, $" measured {now.At:yyyy-MM-dd HH:mm:ss} UTC\n");
        text.Append(CultureInfo.InvariantCulture,
            $"SLO: p99 <= {now.SloP99Ms:0.#} ms. Rate: target {now.TargetRate:N0}/s, actual {now.ActualRate:N0}/s (controller {ControllerStates.Name(control.State)}).\n");
        var verdict = now.P99Ms <= now.SloP99Ms ? "within the SLO" : "ABOVE the SLO";
        text.Append(CultureInfo.InvariantCulture,
            $"Last {LatencySeconds} s: p50 {now.P50Ms:0.0} ms, p99 {now.P99Ms:0.0} ms, p99.9 {now.P999Ms:0.0} ms ({verdict}).\n");
        var last = changes.Count > 0 ? changes[^1] : null;
        foreach (var line in BrokerLines(brokers.Latest, last?.FiguresThen.Brokers, last is not null))
        {
            text.Append(line).Append('\n');
        }

        var current = sustainable.Current;
        text.Append(CultureInfo.InvariantCulture, $"Max sustainable rate at SLO: {current.Describe()} under the config since {current.Since:HH:mm} ({AgentMemory.Escape(current.Configuration)})");
        if (sustainable.Previous is [var before, ..])
        {
            text.Append(CultureInfo.InvariantCulture, $"; before that {before.Describe()}");
        }

        text.Append(".\n");
        if (last is not null)
        {
            var minutes = (now.At - last.Change.At).TotalMinutes;
            text.Append(CultureInfo.InvariantCulture,
                $"Since the last change ({AgentMemory.Escape(last.Change.Summary)}, {minutes:0} min ago): p99 {last.FiguresThen.P99Ms:0.0} -> {now.P99Ms:0.0} ms, actual rate {last.FiguresThen.ActualRate:N0} -> {now.ActualRate:N0}/s.\n");
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

        var pods = cluster.Brokers;
        if (pods.Desired > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Brokers ready {pods.Ready}/{pods.Desired}.\n");
        }

        // Last, so that they are the first to go when the block is too long.
        if (changes.Count > 0)
        {
            text.Append(EffectsHeader).Append('\n');
            foreach (var line in Effects(changes))
            {
                text.Append("- ").Append(line).Append('\n');
            }
        }

        return Fit(text.ToString());
    }

    /// <summary>
    /// The brokers' JMX figures: the cluster's (the lowest idle ratios, the total queue, the highest
    /// produce p99, the total under-replicated partitions), then and now when there was a change, and
    /// each broker's now. Pod names come from the cluster, so they are escaped.
    /// </summary>
    /// <param name="latest">The brokers as last read.</param>
    /// <param name="then">The cluster's figures when the last change was seen (null if none had answered).</param>
    /// <param name="changed">Whether there was a change to compare with.</param>
    public static IEnumerable<string> BrokerLines(BrokerMetricsSnapshot latest, BrokerFigures? then, bool changed)
    {
        ArgumentNullException.ThrowIfNull(latest);
        if (latest.At is null)
        {
            yield return latest.Problem is null ? "Brokers: no JMX figures yet." : "Brokers: no JMX figures yet (the broker pods could not be read).";
            yield break;
        }

        if (latest.Brokers.Count == 0)
        {
            yield return "Brokers: no JMX figures yet (no broker pods found).";
            yield break;
        }

        var stale = latest.Problem is null ? "" : string.Create(CultureInfo.InvariantCulture, $" Read {latest.At:HH:mm:ss} UTC; reading them since failed.");
        if (latest.Cluster is not { } now)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"Brokers {latest.Answering}/{latest.Brokers.Count} (JMX): no figures, none answered.{stale}");
            yield break;
        }

        string Trend(Func<BrokerFigures, double?> figure, Func<double?, string> format, bool idle = false)
        {
            var value = figure(now);
            var text = changed ? $"{format(then is null ? null : figure(then))} -> {format(value)}" : format(value);
            return idle && BrokerFigures.IsSaturated(value) ? $"{text} SATURATED" : text;
        }

        yield return string.Create(CultureInfo.InvariantCulture,
            $"Brokers {latest.Answering}/{latest.Brokers.Count} (JMX, {(changed ? "then -> now since the last change" : "now")}): "
            + $"handler idle min {Trend(f => f.RequestHandlerIdle, BrokerFigures.Ratio, idle: true)}, "
            + $"network idle min {Trend(f => f.NetworkProcessorIdle, BrokerFigures.Ratio, idle: true)}, "
            + $"queue total {Trend(f => f.RequestQueue, BrokerFigures.Number)}, "
            + $"produce p99 max {Trend(f => f.ProduceP99Ms, BrokerFigures.Number)} ms, "
            + $"under-replicated {Trend(f => f.UnderReplicated, BrokerFigures.Number)}.{stale}");
        yield return PerBroker
            + string.Join(", ", latest.Brokers.Select(b => AgentMemory.Escape(b.Pod) + (b.Figures is { } f
                ? $" {BrokerFigures.Ratio(f.RequestHandlerIdle)}/{BrokerFigures.Ratio(f.NetworkProcessorIdle)}/{BrokerFigures.Number(f.RequestQueue)}/{BrokerFigures.Number(f.ProduceP99Ms)}/{BrokerFigures.Number(f.UnderReplicated)}"
                : " no answer")))
            + ".";
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
        + @"|Broker config now: .*|Brokers ready \d+/\d+\.|Brokers \d+/\d+ \(JMX.*|Brokers: no JMX figures yet.*|Per broker \(handler idle/.*)$",
        RegexOptions.CultureInvariant)]
    private static partial Regex OwnLine();

    /// <summary>How soon a line goes when the block is too long: the effects list (and its header, with its last line), then the per-broker figures.</summary>
    private static int DropFirst(string line) =>
        line == EffectsHeader || line.StartsWith("- ", StringComparison.Ordinal) ? 2
        : line.StartsWith(PerBroker, StringComparison.Ordinal) ? 1
        : 0;

    private static bool IsTuning(string key) =>
        key.Contains("threads", StringComparison.Ordinal) || key.Contains("buffer", StringComparison.Ordinal)
        || key.StartsWith("queued.", StringComparison.Ordinal) || key.StartsWith("socket.", StringComparison.Ordinal);

    /// <summary>
    /// Drops lines until the block fits, then closes it: first the effects of the oldest changes
    /// (the list's end), then the per-broker figures, then the rest from the end; never the first
    /// four (the time, the SLO and rates, the latency, the brokers' figures).
    /// </summary>
    private static string Fit(string body)
    {
        var lines = body.TrimEnd('\n').Split('\n').ToList();
        while (string.Join('\n', lines).Length + 1 + AgentMemory.End.Length > MaxBlockChars && lines.Count > 4)
        {
            var drop = Enumerable.Range(4, lines.Count - 4).OrderByDescending(i => DropFirst(lines[i])).ThenByDescending(i => i).First();
            lines.RemoveAt(drop);
        }

        if (lines[^1] == EffectsHeader)
        {
            lines.RemoveAt(lines.Count - 1); // a header with none of its lines says nothing
        }

        var text = string.Join('\n', lines);
        if (text.Length + 1 + AgentMemory.End.Length > MaxBlockChars)
        {
            text = text[..(MaxBlockChars - 1 - AgentMemory.End.Length)];
        }

        return $"{text}\n{AgentMemory.End}";
    }
}
