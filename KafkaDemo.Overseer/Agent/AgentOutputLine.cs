namespace KafkaDemo.Overseer.Agent;

/// <summary>Where a line of a round's output came from.</summary>
public enum AgentOutputSource
{
    /// <summary>The command's standard output (vibectl prints its plans, commands and summaries here).</summary>
    Stdout,

    /// <summary>The command's standard error (vibectl prints every Error:, Warning:, Note: and [WARNING] line here).</summary>
    Stderr,

    /// <summary>Written by the Overseer itself (the memory it wrote, lines it left out).</summary>
    Overseer,
}

/// <summary>What a line of <c>vibectl auto</c>'s output is, as <see cref="VibectlTranscript"/> reads it.</summary>
public enum AgentLineKind
{
    /// <summary>Anything else, including the Overseer's own lines.</summary>
    Other,

    /// <summary><c>🔄 Consulting &lt;model&gt; for a plan...</c></summary>
    Planning,

    /// <summary><c>🔄 Running: kubectl ...</c>: a command vibectl is about to run.</summary>
    KubectlCommand,

    /// <summary><c>🔄 kubectl &lt;verb&gt;</c>: the command ran.</summary>
    CommandDone,

    /// <summary>The <c>✨ Vibe</c> header and the summary or recovery text after it (or inside its panel).</summary>
    Summary,

    /// <summary><c>Note: ...</c></summary>
    Note,

    /// <summary><c>Warning: ...</c> or a logged <c>[WARNING] ...</c></summary>
    Warning,

    /// <summary><c>Error: ...</c>: the round failed.</summary>
    Error,
}

/// <summary>One line of a command's output.</summary>
/// <param name="At">When the Overseer read it.</param>
/// <param name="Text">The line, without its line break (cut at <see cref="AgentActivity.MaxLineChars"/> once stored).</param>
/// <param name="Stream">Where it came from.</param>
/// <param name="Kind">What it is; <see cref="AgentLineKind.Other"/> until a transcript classified it.</param>
public sealed record AgentOutputLine(DateTimeOffset At, string Text, AgentOutputSource Stream, AgentLineKind Kind = AgentLineKind.Other)
{
    public bool IsError => Stream == AgentOutputSource.Stderr;

    /// <summary>"stdout", "stderr" or "overseer".</summary>
    public static string Name(AgentOutputSource source) => source.ToString().ToLowerInvariant();

    /// <summary>"planning", "kubectl-command", "command-done", "summary", "note", "warning", "error" or "other".</summary>
    public static string Name(AgentLineKind kind) => kind switch
    {
        AgentLineKind.KubectlCommand => "kubectl-command",
        AgentLineKind.CommandDone => "command-done",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
