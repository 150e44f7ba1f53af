using System.Text;
using System.Text.RegularExpressions;

namespace KafkaDemo.Overseer.Agent;

/// <summary>
/// vibectl's memory as the Overseer shares it with the agent: a block of measurements between
/// markers the Overseer owns, followed by the agent's own notes, which are kept. The whole stays
/// within <c>memory.max_chars</c>, because <c>vibectl memory set</c> cuts anything longer.
/// vibectl's own memory update rewrites the whole memory with an LLM after every command
/// (vibectl 0.11.6 memory.py update_memory, set_memory), which may drop, damage or cut the markers:
/// the notes are then found around what is left of them, never lost silently.
/// </summary>
public static partial class AgentMemory
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
    /// <param name="isBlockLine">Tells a line the Overseer wrote in its block, to find what is left of a damaged block.</param>
    /// <exception cref="ArgumentException">The block alone does not fit, or lacks its markers.</exception>
    public static MemoryMerge Merge(string? current, string block, int maxChars, Func<string, bool>? isBlockLine = null)
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

        var notes = Notes(current, isBlockLine);
        if (notes.Length == 0)
        {
            return new MemoryMerge(block, 0, 0);
        }

        var room = maxChars - block.Length - 1;
        if (room <= Elided.Length)
        {
            return new MemoryMerge(block, notes.Length, notes.Length);
        }

        if (notes.Length <= room)
        {
            return new MemoryMerge($"{block}\n{notes}", notes.Length, 0);
        }

        var kept = notes[^(room - Elided.Length)..];
        if (kept.Length > 0 && char.IsLowSurrogate(kept[0]))
        {
            kept = kept[1..]; // never half a character
        }

        return new MemoryMerge($"{block}\n{Elided}{kept}", notes.Length, notes.Length - kept.Length);
    }

    /// <summary>
    /// The agent's notes: everything outside the Overseer's blocks. Whole blocks are removed. An
    /// opening marker never closed (dropped, or cut off at max_chars) takes with it only the
    /// Overseer's own lines after it; a closing marker whose opening was lost, only the Overseer's
    /// lines before it. Damaged markers (a bracket or the end missing) count as markers and go too.
    /// </summary>
    public static string Notes(string? memory, Func<string, bool>? isBlockLine = null)
    {
        if (string.IsNullOrEmpty(memory))
        {
            return "";
        }

        isBlockLine ??= _ => false;
        var markers = MarkerPattern().Matches(memory).Select(m => (m.Index, m.Length, IsEnd: m.Groups["end"].Success)).ToList();
        var kept = new StringBuilder();
        var position = 0;
        for (var i = 0; i < markers.Count; i++)
        {
            var marker = markers[i];
            var before = memory[position..marker.Index];
            if (marker.IsEnd)
            {
                kept.Append(Lines(before, isBlockLine, fromEnd: true));
                position = marker.Index + marker.Length;
                continue;
            }

            kept.Append(before);
            if (i + 1 < markers.Count && markers[i + 1].IsEnd)
            {
                position = markers[i + 1].Index + markers[i + 1].Length; // a whole block
                i++;
                continue;
            }

            var next = i + 1 < markers.Count ? markers[i + 1].Index : memory.Length;
            kept.Append(Lines(memory[(marker.Index + marker.Length)..next], isBlockLine, fromEnd: false));
            position = next;
        }

        kept.Append(memory, position, memory.Length - position);
        return kept.ToString().Trim();
    }

    /// <summary>
    /// A value written into the block (a config key or value, a field manager's name, anything from
    /// the cluster) with <c>&lt;</c> and <c>&gt;</c> escaped, so that nothing in it can close the block.
    /// </summary>
    public static string Escape(string? value) =>
        value is null ? "" : value.Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>
    /// What vibectl keeps of <paramref name="text"/>: vibectl 0.11.6 memory.py set_memory cuts it to
    /// <c>memory_text[:max_chars]</c>, by Python code points (a character outside the BMP counts once).
    /// </summary>
    public static string Cut(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        var count = 0;
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (count == maxChars)
            {
                return text[..index];
            }

            count++;
            index += rune.Utf16SequenceLength;
        }

        return text;
    }

    /// <summary>
    /// <paramref name="text"/> without the Overseer's lines at its start (or end): what is left of a
    /// block whose other marker was lost. Blank lines between them go too; the first line that is
    /// not the Overseer's stops it.
    /// </summary>
    private static string Lines(string text, Func<string, bool> isBlockLine, bool fromEnd)
    {
        var lines = text.Split('\n').ToList();
        var dropped = 0;
        while (lines.Count > 0)
        {
            var line = (fromEnd ? lines[^1] : lines[0]).Trim();
            if (line.Length > 0 && !isBlockLine(line))
            {
                break;
            }

            lines.RemoveAt(fromEnd ? lines.Count - 1 : 0);
            dropped++;
        }

        // The notes that remain start (or end) a line of their own.
        var rest = string.Join('\n', lines);
        return dropped == 0 || lines.Count == 0 ? rest : fromEnd ? rest + "\n" : "\n" + rest;
    }

    /// <summary>
    /// A marker, whole or damaged: <c>&lt;overseer&gt;</c>, <c>&lt;/overseer&gt;</c> (any case,
    /// spaces inside), one that lost its <c>&gt;</c> or its <c>&lt;</c>, or the start of one cut off
    /// at the end of memory (<c>&lt;/ov</c>). A slash makes it a closing marker.
    /// </summary>
    [GeneratedRegex(
        @"<\s*(?<end>/)?\s*overseer\s*>?|(?<![<\w/])(?<end>/)?overseer>|<(?<end>/)(o(v(e(r(s(e(e(r)?)?)?)?)?)?)?)?$|<o(v(e(r(s(e(e(r)?)?)?)?)?)?)?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MarkerPattern();
}

/// <summary>The memory to write, and what became of the agent's notes in it.</summary>
/// <param name="Text">The block, then the notes.</param>
/// <param name="NotesChars">The notes' length before any cut.</param>
/// <param name="NotesCut">Characters of the notes left out (their oldest part) to fit memory.max_chars.</param>
public sealed record MemoryMerge(string Text, int NotesChars, int NotesCut);
