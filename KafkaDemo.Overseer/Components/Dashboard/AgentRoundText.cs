using System.Globalization;
using KafkaDemo.Overseer.Agent;

namespace KafkaDemo.Overseer.Components.Dashboard;

/// <summary>
/// What the agent panel writes for a round and its lines: the header's words and the CSS classes
/// that tell the kinds of line apart. Kept out of the markup so it is tested on its own.
/// </summary>
public static class AgentRoundText
{
    /// <summary>"ok", "failed", "timed out" or "running": the header's result.</summary>
    public static string Result(AgentRound round)
    {
        ArgumentNullException.ThrowIfNull(round);
        return round.Result switch
        {
            null => "running",
            AgentRoundResult.Ok => "ok",
            AgentRoundResult.TimedOut => "timed out",
            _ => "failed",
        };
    }

    /// <summary>The CSS class of the result: <c>result-ok</c>, <c>result-failed</c>, <c>result-timed-out</c>, <c>result-running</c>.</summary>
    public static string ResultClass(AgentRound round)
    {
        ArgumentNullException.ThrowIfNull(round);
        return "result-" + (round.Result is { } result ? AgentRoundOutcome.Name(result) : "running");
    }

    /// <summary>How long it took ("1 min 05 s", "12.3 s"), or how long it has run ("running for 42 s").</summary>
    public static string Duration(AgentRound round, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(round);
        return round.EndedAt is { } ended
            ? Span(ended - round.StartedAt)
            : "running for " + Span(now - round.StartedAt, whole: true);
    }

    /// <summary>"12.3 s" under a minute ("12 s" when <paramref name="whole"/>), "2 min 05 s" above, "1 h 02 min" above an hour.</summary>
    public static string Span(TimeSpan span, bool whole = false)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        if (span < TimeSpan.FromMinutes(1))
        {
            return whole
                ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalSeconds} s")
                : string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(span.TotalSeconds * 10) / 10:0.0} s");
        }

        return span < TimeSpan.FromHours(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min {span.Seconds:00} s")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes:00} min");
    }

    /// <summary>The spec changes attributed to the round, as the header lists them: "num.io.threads 2→4 (kubectl-patch)".</summary>
    public static IEnumerable<string> Changes(AgentRound round)
    {
        ArgumentNullException.ThrowIfNull(round);
        return round.Changes.Select(c => $"{c.Summary} ({c.FieldManager})");
    }

    /// <summary>
    /// The line's CSS classes: its kind (<c>kind-planning</c>, <c>kind-kubectl-command</c>,
    /// <c>kind-command-done</c>, <c>kind-summary</c>, <c>kind-note</c>, <c>kind-warning</c>,
    /// <c>kind-error</c>, <c>kind-other</c>) and its stream (<c>stream-stdout</c>, ...).
    /// </summary>
    public static string LineClass(AgentOutputLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return $"agent-line kind-{AgentOutputLine.Name(line.Kind)} stream-{AgentOutputLine.Name(line.Stream)}";
    }

    /// <summary>The line's tooltip: when it was read, its stream and kind.</summary>
    public static string LineTitle(AgentOutputLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return string.Create(CultureInfo.InvariantCulture,
            $"{line.At.LocalDateTime:HH:mm:ss} · {AgentOutputLine.Name(line.Stream)} · {AgentOutputLine.Name(line.Kind)}");
    }
}
