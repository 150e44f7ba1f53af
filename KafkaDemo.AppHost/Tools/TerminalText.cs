using System.Text.RegularExpressions;

namespace KafkaDemo.AppHost.Tools;

/// <summary>What a command-line tool writes for a terminal, made plain for a log line or a parser.</summary>
public static partial class TerminalText
{
    /// <summary>
    /// <paramref name="line"/> without ANSI escape sequences: CSI (colours, cursor moves, e.g.
    /// <c>ESC[36m</c>, as logrus writes with ForceColors), OSC (titles, hyperlinks; ended by BEL or
    /// ESC \), and the two-character ESC sequences; also the C1 form of CSI. Everything else,
    /// including a lone ESC at the end, is kept or dropped as a whole sequence, never half.
    /// </summary>
    public static string StripEscapes(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return line.AsSpan().IndexOfAny('\u001b', '\u009b') < 0 ? line : Escape().Replace(line, "");
    }

    // ECMA-48: CSI = ESC [ (or C1 0x9B), parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F,
    // a final byte 0x40-0x7E. OSC = ESC ] ... terminated by BEL or ST (ESC \). Other escape
    // sequences are ESC followed by one byte 0x40-0x5F (Fe), or by intermediates and a final byte.
    [GeneratedRegex(@"(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[ -/]*[0-~]|\u001b$")]
    private static partial Regex Escape();
}
