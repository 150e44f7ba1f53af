namespace KafkaDemo.Overseer.Agent;

/// <summary>
/// vibectl's memory as the Overseer shares it with the agent: a block of measurements between
/// markers the Overseer owns, followed by the agent's own notes, which are kept. The whole stays
/// within <c>memory.max_chars</c>, because <c>vibectl memory set</c> cuts anything longer.
/// The markers use angle brackets: vibectl prints memory through Rich, which would take square
/// brackets for markup and drop them.
/// </summary>
public static class AgentMemory
{
    public const string Start = "<overseer>";
    public const string End = "</overseer>";

    /// <summary>What is kept of notes that do not fit: their end, the most recent part.</summary>
    public const string Elided = "…";

    /// <summary>
    /// The memory with <paramref name="block"/> in place of any Overseer block in
    /// <paramref name="current"/>, and the agent's notes after it, cut from their start if the
    /// whole would exceed <paramref name="maxChars"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The block alone does not fit, or lacks its markers.</exception>
    public static string Merge(string? current, string block, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (!block.StartsWith(Start, StringComparison.Ordinal) || !block.EndsWith(End, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The Overseer's block must start with {Start} and end with {End}.", nameof(block));
        }

        if (block.Length > maxChars)
        {
            throw new ArgumentException($"The Overseer's block ({block.Length} characters) does not fit memory.max_chars ({maxChars}).", nameof(block));
        }

        var notes = Notes(current);
        if (notes.Length == 0)
        {
            return block;
        }

        var room = maxChars - block.Length - 1;
        if (room <= Elided.Length)
        {
            return block;
        }

        return notes.Length <= room
            ? $"{block}\n{notes}"
            : $"{block}\n{Elided}{notes[^(room - Elided.Length)..]}";
    }

    /// <summary>The agent's notes: everything outside Overseer blocks (an unclosed block runs to the end).</summary>
    public static string Notes(string? memory)
    {
        if (string.IsNullOrEmpty(memory))
        {
            return "";
        }

        var rest = memory;
        var kept = new System.Text.StringBuilder();
        while (true)
        {
            var start = rest.IndexOf(Start, StringComparison.Ordinal);
            if (start < 0)
            {
                kept.Append(rest);
                break;
            }

            kept.Append(rest, 0, start);
            var end = rest.IndexOf(End, start, StringComparison.Ordinal);
            if (end < 0)
            {
                break;
            }

            rest = rest[(end + End.Length)..];
        }

        return kept.ToString().Trim();
    }

    /// <summary>
    /// The memory from what <c>vibectl memory show</c> printed: a Rich panel titled "Memory
    /// Content", or the warning that memory is empty.
    /// </summary>
    public static string FromShowOutput(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Contains("Memory is empty", StringComparison.Ordinal))
        {
            return "";
        }

        var lines = output.ReplaceLineEndings("\n").Split('\n');
        var inside = lines.SkipWhile(l => !l.TrimStart().StartsWith('╭')).Skip(1).TakeWhile(l => !l.TrimStart().StartsWith('╰')).ToList();
        if (inside.Count == 0 && !lines.Any(l => l.TrimStart().StartsWith('╭')))
        {
            return output.Trim();
        }

        return string.Join('\n', inside.Select(Unframe)).Trim();

        static string Unframe(string line)
        {
            var text = line.Trim();
            if (text.StartsWith('│'))
            {
                text = text[1..];
            }

            if (text.EndsWith('│'))
            {
                text = text[..^1];
            }

            return text.StartsWith(' ') ? text[1..].TrimEnd() : text.TrimEnd();
        }
    }
}
