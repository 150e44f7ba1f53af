using System.Globalization;

namespace KafkaDemo.Overseer.Agent;

/// <summary>How a round ended.</summary>
public enum AgentRoundResult
{
    Ok,

    /// <summary>vibectl printed an error, ended without finishing, or the round could not run.</summary>
    Failed,

    /// <summary>The round ran out of time and was stopped.</summary>
    TimedOut,
}

/// <summary>A round's result and, unless it is ok, why.</summary>
public sealed record AgentRoundOutcome(AgentRoundResult Result, string? Reason)
{
    public static AgentRoundOutcome Ok { get; } = new(AgentRoundResult.Ok, null);

    public static AgentRoundOutcome Failed(string reason) => new(AgentRoundResult.Failed, reason);

    public static AgentRoundOutcome TimedOut(string reason) => new(AgentRoundResult.TimedOut, reason);

    /// <summary>"ok", "failed" or "timed-out".</summary>
    public static string Name(AgentRoundResult result) => result == AgentRoundResult.TimedOut ? "timed-out" : result.ToString().ToLowerInvariant();
}

/// <summary>
/// Reads what <c>vibectl auto</c> prints, line by line as it arrives on each stream: it tells each
/// line's kind (for the page) and judges the round. vibectl 0.11.6 exits 0 when a round fails
/// (cli.py auto: every error goes to utils.py handle_exception, which does not exit), so the
/// exit code says nothing; what it printed does. Thread-safe: stdout and stderr are read at once.
/// </summary>
/// <remarks>
/// The lines, with the Overseer's settings (display.show_streaming false, display.show_kubectl
/// true), from vibectl 0.11.6 (vibectl-0.11.6.md §6, §0 and §14):
/// stdout <c>🔄 Consulting {model} for a plan...</c> (execution/vibe.py 708),
/// <c>🔄 Running: kubectl ...</c> (vibe.py 438-439), <c>🔄 kubectl {verb}</c>
/// (command_handler.py 342-368), <c>✨ Vibe</c> followed by the summary text
/// (command_handler.py 484-525, console.py print_vibe 229-236) or a <c>✨ Vibe</c> panel for
/// recovery suggestions (command_handler.py 920); stderr <c>Note: </c>, <c>Warning: </c>,
/// <c>Error: </c> (console.py print_note, print_warning, print_error) and <c>[WARNING] </c>
/// (logutil.py init_logging's format). The round finished when stderr says
/// <c>Note: Completed N iterations as requested</c> (auto_cmd.py 112-117) or
/// <c>Note: Auto session exited by user</c> (the planner said DONE, auto_cmd.py 164-167).
/// stdout and stderr are separate exec channels whose relative order is lost, so each has its own state.
/// </remarks>
public sealed class VibectlTranscript
{
    private const string ErrorPrefix = "Error:";
    private const string CompletedPrefix = "Note: Completed ";
    private const string CompletedSuffix = " iterations as requested";
    private const string ExitedByUser = "Note: Auto session exited by user";

    private readonly Lock _gate = new();
    private bool _inSummary;
    private bool _inPanel;
    private AgentLineKind _lastStderr = AgentLineKind.Other;

    /// <summary>The first <c>Error:</c> line, as printed: the reason a failed round shows.</summary>
    public string? FirstError { get; private set; }

    /// <summary>Whether vibectl said it finished: the iterations done, or the planner's DONE.</summary>
    public bool Finished { get; private set; }

    /// <summary>The iterations vibectl said it completed (null unless it said so).</summary>
    public int? CompletedIterations { get; private set; }

    /// <summary>Reads one line and says what it is.</summary>
    public AgentLineKind Add(AgentOutputSource stream, string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.TrimEnd();
        lock (_gate)
        {
            return stream switch
            {
                AgentOutputSource.Stdout => Stdout(text),
                AgentOutputSource.Stderr => Stderr(text),
                _ => AgentLineKind.Other,
            };
        }
    }

    /// <summary>Judges the round from what it printed and how it ended.</summary>
    /// <param name="exitCode">vibectl's exit code, kept only to quote it: it is 0 on failures too.</param>
    /// <param name="timedOut">Whether the round's timeout stopped it.</param>
    /// <param name="timeoutSeconds">That timeout, to say so.</param>
    public AgentRoundOutcome Judge(int? exitCode, bool timedOut, int timeoutSeconds)
    {
        lock (_gate)
        {
            if (timedOut)
            {
                var stopped = string.Create(CultureInfo.InvariantCulture, $"vibectl did not finish within {timeoutSeconds} s and was stopped");
                return AgentRoundOutcome.TimedOut(FirstError is { } before ? $"{stopped}; before that it printed: {before}" : $"{stopped}.");
            }

            if (FirstError is { } error)
            {
                return AgentRoundOutcome.Failed(error);
            }

            return Finished
                ? AgentRoundOutcome.Ok
                : AgentRoundOutcome.Failed(string.Create(CultureInfo.InvariantCulture,
                    $"vibectl ended without finishing (exit code {(exitCode is { } code ? code.ToString(CultureInfo.InvariantCulture) : "unknown")}): it never printed 'Completed N iterations as requested' nor 'Auto session exited by user'."));
        }
    }

    private AgentLineKind Stdout(string text)
    {
        if (_inPanel)
        {
            if (text.StartsWith('╰'))
            {
                _inPanel = false;
            }

            return AgentLineKind.Summary;
        }

        if (text.StartsWith("🔄 Consulting ", StringComparison.Ordinal))
        {
            _inSummary = false;
            return AgentLineKind.Planning;
        }

        if (text.StartsWith("🔄 Running: kubectl", StringComparison.Ordinal))
        {
            _inSummary = false;
            return AgentLineKind.KubectlCommand;
        }

        if (text.StartsWith("🔄 kubectl", StringComparison.Ordinal))
        {
            _inSummary = false;
            return AgentLineKind.CommandDone;
        }

        if (text.StartsWith("🔄", StringComparison.Ordinal) || text.StartsWith("💡", StringComparison.Ordinal))
        {
            _inSummary = false; // 🔄 Waiting for N seconds as requested by AI..., 💡 a suggested memory update
            return AgentLineKind.Other;
        }

        if (text == "✨ Vibe")
        {
            _inSummary = true;
            return AgentLineKind.Summary;
        }

        if (text.StartsWith('╭') && text.Contains("✨ Vibe", StringComparison.Ordinal))
        {
            _inSummary = false;
            _inPanel = true;
            return AgentLineKind.Summary;
        }

        if (_inSummary)
        {
            return AgentLineKind.Summary;
        }

        // Only click's prompt prints an error on stdout (vibe.py 550-578), and only with stdin open.
        return text.StartsWith(ErrorPrefix, StringComparison.Ordinal) ? RecordError(text) : AgentLineKind.Other;
    }

    private AgentLineKind Stderr(string text)
    {
        AgentLineKind kind;
        if (text.StartsWith(ErrorPrefix, StringComparison.Ordinal))
        {
            kind = RecordError(text);
        }
        else if (text.StartsWith("Warning:", StringComparison.Ordinal) || text.StartsWith("[WARNING]", StringComparison.Ordinal))
        {
            kind = AgentLineKind.Warning;
        }
        else if (text.StartsWith("Note:", StringComparison.Ordinal))
        {
            kind = AgentLineKind.Note;
            if (text == ExitedByUser)
            {
                Finished = true;
            }
            else if (text.StartsWith(CompletedPrefix, StringComparison.Ordinal) && text.EndsWith(CompletedSuffix, StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(CompletedPrefix.Length, text.Length - CompletedPrefix.Length - CompletedSuffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var done))
            {
                Finished = true;
                CompletedIterations = done;
            }
        }
        else
        {
            // A message of several lines (the key warning's list, a traceback after [WARNING]) keeps
            // the kind of the line it continues; it never starts a new error.
            return text.Length == 0 ? AgentLineKind.Other : _lastStderr;
        }

        _lastStderr = kind;
        return kind;
    }

    private AgentLineKind RecordError(string text)
    {
        FirstError ??= text;
        return AgentLineKind.Error;
    }
}
