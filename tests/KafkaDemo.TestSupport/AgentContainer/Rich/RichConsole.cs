using System.Text;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// What a Rich 14.1.0 <c>Console</c> writes to a file that is not a terminal (pod exec without a
/// TTY): no colour or style codes (console.py _detect_color_system gives None), text wrapped at the
/// console width as rich/text.py Text.wrap does, and <c>Panel(str, expand=False)</c> boxes
/// (rich/panel.py). Each method returns exactly the characters <c>console.print(...)</c> writes.
/// </summary>
internal sealed class RichConsole
{
    /// <summary>Rich's tab size (console.py Console.__init__ tab_size=8).</summary>
    private const int TabSize = 8;

    public RichConsole(int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Width = width;
    }

    /// <summary>The console width in cells.</summary>
    public int Width { get; }

    /// <summary>
    /// The width a Console gets from the process environment without a terminal: <c>COLUMNS</c>
    /// when it is all digits, else 80 (console.py Console.__init__ and Console.size; os.get_terminal_size
    /// fails on pipes). Null for what Rich handles oddly (COLUMNS=0): a stand-in gap.
    /// </summary>
    public static int? WidthFrom(IReadOnlyDictionary<string, string> environment)
    {
        if (environment.TryGetValue("COLUMNS", out var columns) && PyStr.IsAllDigits(columns))
        {
            return PyValue.TryParseInt(columns, out var width) && width >= 1 && width <= 1_000_000 ? (int)width : null;
        }

        return 80;
    }

    /// <summary>
    /// <c>console.print(text, markup=markup)</c>: markup and emoji codes rendered (Console.render_str),
    /// control codes BEL, BS, VT, FF and CR dropped (rich/control.py strip_control_codes), tabs
    /// expanded, each line word-wrapped, then a newline.
    /// </summary>
    /// <exception cref="MarkupException">With markup on, a closing tag that closes nothing.</exception>
    public string Print(string text, bool markup = true)
    {
        var plain = RenderString(text, markup);
        return string.Join('\n', Wrap(plain, Width)) + "\n";
    }

    /// <summary>
    /// <c>console.print(Panel(content, title=title, expand=False))</c> with the default rounded box and
    /// padding (0, 1). The title is markup when given as a string (Panel._title: Text.from_markup)
    /// and plain when given as Rich Text.
    /// </summary>
    /// <exception cref="MarkupException">With markup on, the content's markup is broken.</exception>
    public string PrintPanel(string content, string title, bool titleIsMarkup, bool markup = true)
    {
        var plain = RenderString(content, markup);
        var titleText = titleIsMarkup ? RenderString(title, markup: true) : StripControlCodes(title);
        titleText = " " + ExpandTabs(titleText.Replace('\n', ' ')) + " ";

        // panel.py __rich_console__ with expand=False: the content's measured width (Measurement.get of
        // Padding(str, (0, 1)) within width - 2), at least the title's plus 2, at most width - 2.
        var childWidth = MeasuredMaximum(plain, Width - 2 - 2);
        childWidth = Width - 2 - 2 < 1 ? Width - 2 : Math.Min(childWidth + 2, Width - 2);
        childWidth = Math.Min(Width - 2, Math.Max(childWidth, CellWidths.Length(titleText) + 2));
        var width = childWidth + 2;
        var output = new StringBuilder();
        if (width <= 4)
        {
            output.Append('╭').Append('─', width - 2).Append('╮');
        }
        else
        {
            var inner = width - 4;
            var aligned = SetCellSize(titleText, Math.Min(inner, CellWidths.Length(titleText)));
            var excess = inner - CellWidths.Length(aligned);
            var left = excess / 2;
            output.Append("╭─").Append('─', left).Append(aligned).Append('─', excess - left).Append("─╮");
        }

        output.Append('\n');
        foreach (var line in Wrap(plain, childWidth - 2))
        {
            output.Append("│ ").Append(SetCellSize(line, childWidth - 2)).Append(" │\n");
        }

        output.Append('╰').Append('─', width - 2).Append("╯\n");
        return output.ToString();
    }

    /// <summary>Console.render_str: the markup rendered, or with markup off only emoji codes replaced; then Text's control-code strip.</summary>
    private static string RenderString(string text, bool markup) =>
        StripControlCodes(markup ? RichMarkup.Render(text, emoji: true) : EmojiCodes.Replace(text));

    /// <summary>rich/control.py strip_control_codes: BEL, BS, VT, FF and CR are removed.</summary>
    private static string StripControlCodes(string text) =>
        text.IndexOfAny(['\a', '\b', '\v', '\f', '\r']) < 0
            ? text
            : new string([.. text.Where(c => c is not ('\a' or '\b' or '\v' or '\f' or '\r'))]);

    /// <summary>
    /// Measurement.get of a str (rich/text.py Text.__rich_measure__): the widest line as split by
    /// <c>str.splitlines</c>, in cells, tabs counted as nothing (they are expanded only when
    /// rendered), capped at the available width; 0 when that is below 1.
    /// </summary>
    private static int MeasuredMaximum(string plain, int available)
    {
        if (available < 1)
        {
            return 0;
        }

        var lines = PyStr.SplitLines(plain);
        var maximum = lines.Count == 0 ? 0 : lines.Max(CellWidths.Length);
        maximum = Math.Min(maximum, available);
        return maximum < 1 ? 0 : maximum;
    }

    /// <summary>rich/text.py Text.wrap with justify "default" and overflow "fold", for plain text.</summary>
    internal static List<string> Wrap(string plain, int width)
    {
        var lines = new List<string>();
        foreach (var rawLine in plain.Split('\n'))
        {
            var line = rawLine.Contains('\t', StringComparison.Ordinal) ? ExpandTabs(rawLine) : rawLine;
            var points = PyStr.CodePoints(line);
            var offsets = DivideLine(points, width);
            var bounds = new List<int> { 0 };
            bounds.AddRange(offsets);
            bounds.Add(points.Length);
            for (var i = 0; i + 1 < bounds.Count; i++)
            {
                var piece = points[bounds[i]..bounds[i + 1]];
                piece = RStripEnd(piece, width);
                lines.Add(SetCellSize(PyStr.FromCodePoints(piece), width, onlyIfLonger: true));
            }
        }

        return lines;
    }

    /// <summary>
    /// rich/text.py Text.expand_tabs (14.1.0): each tab becomes a space, then spaces up to the next
    /// multiple of 8 cells counted from the line's start.
    /// </summary>
    internal static string ExpandTabs(string line)
    {
        var result = new StringBuilder();
        var cellPosition = 0;
        var parts = line.Split('\t');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (i < parts.Length - 1)
            {
                part += " ";
                cellPosition += CellWidths.Length(part);
                var remainder = cellPosition % TabSize;
                if (remainder != 0)
                {
                    part += new string(' ', TabSize - remainder);
                    cellPosition += TabSize - remainder;
                }
            }
            else
            {
                cellPosition += CellWidths.Length(part);
            }

            result.Append(part);
        }

        return result.ToString();
    }

    /// <summary>
    /// rich/_wrap.py divide_line (14.1.0): break offsets (in code points) so that each line's words
    /// fit <paramref name="width"/> cells; a word is <c>\s*\S+\s*</c>, its trailing whitespace not
    /// counted when deciding; a word longer than the width is folded (cells.py chop_cells).
    /// </summary>
    private static List<int> DivideLine(int[] points, int width)
    {
        var breaks = new List<int>();
        var cellOffset = 0;
        foreach (var (wordStart, wordEnd) in Words(points))
        {
            var start = wordStart;
            var word = points[wordStart..wordEnd];
            var trimmedEnd = word.Length;
            while (trimmedEnd > 0 && PyStr.IsSpace(word[trimmedEnd - 1]))
            {
                trimmedEnd--;
            }

            var wordLength = Cells(word.AsSpan(0, trimmedEnd));
            var remaining = width - cellOffset;
            if (remaining >= wordLength)
            {
                cellOffset += Cells(word);
            }
            else if (wordLength > width)
            {
                var folded = ChopCells(word, width);
                for (var i = 0; i < folded.Count; i++)
                {
                    if (start != 0)
                    {
                        breaks.Add(start);
                    }

                    if (i == folded.Count - 1)
                    {
                        cellOffset = Cells(folded[i]);
                    }
                    else
                    {
                        start += folded[i].Length;
                    }
                }
            }
            else if (cellOffset != 0 && start != 0)
            {
                breaks.Add(start);
                cellOffset = Cells(word);
            }
        }

        return breaks;
    }

    /// <summary>rich/_wrap.py words: each match of <c>\s*\S+\s*</c> from the start, in Python's sense of whitespace.</summary>
    private static IEnumerable<(int Start, int End)> Words(int[] points)
    {
        var position = 0;
        while (position < points.Length)
        {
            var i = position;
            while (i < points.Length && PyStr.IsSpace(points[i]))
            {
                i++;
            }

            if (i == points.Length)
            {
                yield break;
            }

            while (i < points.Length && !PyStr.IsSpace(points[i]))
            {
                i++;
            }

            while (i < points.Length && PyStr.IsSpace(points[i]))
            {
                i++;
            }

            yield return (position, i);
            position = i;
        }
    }

    /// <summary>rich/cells.py chop_cells (14.1.0): pieces of at most <paramref name="width"/> cells, in order.</summary>
    private static List<int[]> ChopCells(int[] word, int width)
    {
        var lines = new List<List<int>> { new() };
        var total = 0;
        foreach (var point in word)
        {
            var cells = CellWidths.Of(point);
            if (total + cells > width)
            {
                lines.Add([point]);
                total = cells;
            }
            else
            {
                lines[^1].Add(point);
                total += cells;
            }
        }

        return [.. lines.Select(l => l.ToArray())];
    }

    /// <summary>rich/text.py Text.rstrip_end: whitespace beyond <paramref name="size"/> characters at the end is dropped.</summary>
    private static int[] RStripEnd(int[] piece, int size)
    {
        if (piece.Length <= size)
        {
            return piece;
        }

        var excess = piece.Length - size;
        var whitespace = 0;
        while (whitespace < piece.Length && PyStr.IsSpace(piece[piece.Length - 1 - whitespace]))
        {
            whitespace++;
        }

        return whitespace == 0 ? piece : piece[..(piece.Length - Math.Min(whitespace, excess))];
    }

    /// <summary>
    /// rich/cells.py set_cell_size (14.1.0): cropped to <paramref name="total"/> cells, a wide
    /// character cut in half becoming a space, or padded with spaces (unless only cropping).
    /// </summary>
    internal static string SetCellSize(string text, int total, bool onlyIfLonger = false)
    {
        var points = PyStr.CodePoints(text);
        var cellSize = Cells(points);
        if (onlyIfLonger && cellSize <= total)
        {
            return text;
        }

        if (points.All(p => CellWidths.Of(p) == 1 && !IsOutsideSingleCellRanges(p)))
        {
            return points.Length < total ? text + new string(' ', total - points.Length) : PyStr.FromCodePoints(points.Take(total));
        }

        if (total <= 0)
        {
            return "";
        }

        if (cellSize == total)
        {
            return text;
        }

        if (cellSize < total)
        {
            return text + new string(' ', total - cellSize);
        }

        var start = 0;
        var end = points.Length;
        while (true)
        {
            var position = (start + end) / 2;
            var before = points[..(position + 1)];
            var beforeLength = Cells(before);
            if (beforeLength == total + 1 && CellWidths.Of(before[^1]) == 2)
            {
                return PyStr.FromCodePoints(before[..^1]) + " ";
            }

            if (beforeLength == total)
            {
                return PyStr.FromCodePoints(before);
            }

            if (beforeLength > total)
            {
                end = position;
            }
            else
            {
                start = position;
            }
        }
    }

    /// <summary>
    /// rich/cells.py _is_single_cell_widths (14.1.0) takes a short cut only for characters in its list
    /// of single-cell ranges (Latin, Greek, Cyrillic, box drawing, Braille); others go the long way.
    /// </summary>
    private static bool IsOutsideSingleCellRanges(int point) =>
        !(point is (>= 0x20 and <= 0x7E) or (>= 0xA0 and <= 0xAC) or (>= 0xAE and <= 0x2FF) or (>= 0x370 and <= 0x482)
            or (>= 0x2500 and <= 0x25FC) or (>= 0x2800 and <= 0x28FF));

    private static int Cells(ReadOnlySpan<int> points)
    {
        var total = 0;
        foreach (var point in points)
        {
            total += CellWidths.Of(point);
        }

        return total;
    }
}
