using System.Globalization;
using System.Numerics;
using System.Text;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// What PyYAML 6.0 writes for <c>yaml.dump(data, default_flow_style=False)</c> (vibectl 0.11.6
/// config_utils.py save_yaml_config), for the values a vibectl config holds: nested dicts, lists of
/// scalars, strings, ints, floats, bools and None. The defaults of yaml.dump apply: keys sorted,
/// indent 2, width 80, <c>allow_unicode=False</c> (non-ASCII escaped in double quotes), no document
/// markers. The scalar styles and line folding follow lib/yaml/emitter.py (choose_scalar_style,
/// analyze_scalar, write_plain, write_single_quoted, write_double_quoted) and the implicit
/// resolvers of lib/yaml/resolver.py; the conformance tests compare it with <c>yaml.dump</c>.
/// </summary>
internal sealed class PyYamlWriter
{
    private const int BestWidth = 80;
    private const int BestIndent = 2;

    private readonly StringBuilder output = new();
    private int column;
    private bool whitespace = true;
    private bool indention = true;
    private int? indent;

    private PyYamlWriter()
    {
    }

    /// <summary><c>yaml.dump(data, default_flow_style=False)</c>.</summary>
    /// <exception cref="NotSupportedException">A value this writer does not model (a list of collections, a non-string key).</exception>
    public static string Dump(object? data)
    {
        var writer = new PyYamlWriter();
        writer.WriteNode(data, inMapping: false);

        // emitter.py expect_document_end: write_indent ends the last line.
        writer.indent = 0;
        writer.WriteIndent();
        return writer.output.ToString();
    }

    private void WriteNode(object? value, bool inMapping)
    {
        switch (value)
        {
            case PyDict { Count: 0 }:
                WriteIndicator("{", true, isWhitespace: true);
                WriteIndicator("}", false);
                break;
            case PyDict dict:
                WriteBlockMapping(dict);
                break;
            case List<object?> { Count: 0 }:
                WriteIndicator("[", true, isWhitespace: true);
                WriteIndicator("]", false);
                break;
            case List<object?> list:
                WriteBlockSequence(list, inMapping);
                break;
            default:
                WriteScalar(value, simpleKey: false);
                break;
        }
    }

    /// <summary>emitter.py expect_block_mapping: keys sorted (representer.py represent_mapping, sort_keys=True) by code point.</summary>
    private void WriteBlockMapping(PyDict dict)
    {
        var saved = indent;
        indent = indent is null ? 0 : indent + BestIndent;
        foreach (var key in dict.Keys.Order(CodePointComparer.Instance))
        {
            WriteIndent();
            if (!IsSimpleKey(key))
            {
                throw new NotSupportedException($"A key PyYAML would write as a complex key: {PyStr.Repr(key)}");
            }

            WriteScalar(key, simpleKey: true);
            WriteIndicator(":", false);
            WriteNode(dict[key], inMapping: true);
        }

        indent = saved;
    }

    /// <summary>emitter.py expect_block_sequence: in a mapping, indentless (<c>key:\n- item</c>).</summary>
    private void WriteBlockSequence(List<object?> list, bool inMapping)
    {
        var saved = indent;
        var indentless = inMapping && !indention;
        indent = indent is null ? 0 : indentless ? indent : indent + BestIndent;
        foreach (var item in list)
        {
            if (item is PyDict or List<object?>)
            {
                throw new NotSupportedException("A list of collections is not modelled by this YAML writer.");
            }

            WriteIndent();
            WriteIndicator("-", true, isIndention: true);
            WriteNode(item, inMapping: false);
        }

        indent = saved;
    }

    /// <summary>emitter.py check_simple_key: short and on one line.</summary>
    private static bool IsSimpleKey(string key)
    {
        var analysis = Analyze(PyStr.CodePoints(key));
        return PyStr.Length(key) < 128 && !analysis.Empty && !analysis.Multiline;
    }

    private void WriteScalar(object? value, bool simpleKey)
    {
        var (text, implicitPlain) = Represent(value);
        var points = PyStr.CodePoints(text);
        var analysis = Analyze(points);

        // expect_scalar: increase_indent(flow=True).
        var saved = indent;
        indent = indent is null ? BestIndent : indent + BestIndent;
        var split = !simpleKey;
        if (implicitPlain && !(simpleKey && (analysis.Empty || analysis.Multiline)) && analysis.AllowBlockPlain)
        {
            WritePlain(points, split);
        }
        else if (analysis.AllowSingleQuoted && !(simpleKey && analysis.Multiline))
        {
            WriteSingleQuoted(points, split);
        }
        else
        {
            WriteDoubleQuoted(points, split);
        }

        indent = saved;
    }

    /// <summary>
    /// representer.py: the scalar's text, and whether a plain scalar of that text resolves back to the
    /// same type (serializer.py serialize_node: <c>implicit[0]</c>).
    /// </summary>
    private static (string Text, bool ImplicitPlain) Represent(object? value) => value switch
    {
        null => ("null", true),
        bool b => (b ? "true" : "false", true),
        BigInteger i => (i.ToString(CultureInfo.InvariantCulture), true),
        int i => (i.ToString(CultureInfo.InvariantCulture), true),
        long l => (l.ToString(CultureInfo.InvariantCulture), true),
        double d => (FloatText(d), true),
        string s => (s, PyYamlResolver.Resolve(s) == PyYamlTag.Str),
        _ => throw new NotSupportedException($"A value PyYAML's Dumper would tag specially: {value.GetType().Name}"),
    };

    /// <summary>representer.py represent_float: <c>repr(data).lower()</c>, <c>.0</c> put before an exponent without a dot.</summary>
    private static string FloatText(double value)
    {
        if (double.IsNaN(value))
        {
            return ".nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? ".inf" : "-.inf";
        }

        var text = PyValue.FloatRepr(value).ToLowerInvariant();
        if (!text.Contains('.', StringComparison.Ordinal) && text.Contains('e', StringComparison.Ordinal))
        {
            var e = text.IndexOf('e', StringComparison.Ordinal);
            text = text[..e] + ".0" + text[e..];
        }

        return text;
    }

    private sealed record Analysis(bool Empty, bool Multiline, bool AllowBlockPlain, bool AllowSingleQuoted);

    private static bool IsBreak(int ch) => ch is '\n' or 0x85 or 0x2028 or 0x2029;

    private static bool IsWhitespaceOrEnd(int ch) => ch is '\0' or ' ' or '\t' or '\r' || IsBreak(ch);

    /// <summary>emitter.py analyze_scalar, for block context (the flow-plain results are not needed).</summary>
    private static Analysis Analyze(int[] scalar)
    {
        if (scalar.Length == 0)
        {
            return new Analysis(Empty: true, Multiline: false, AllowBlockPlain: true, AllowSingleQuoted: true);
        }

        var blockIndicators = false;
        var lineBreaks = false;
        var specialCharacters = false;
        var leadingSpace = false;
        var leadingBreak = false;
        var trailingSpace = false;
        var trailingBreak = false;
        var breakSpace = false;
        var spaceBreak = false;
        var text = PyStr.FromCodePoints(scalar);
        if (text.StartsWith("---", StringComparison.Ordinal) || text.StartsWith("...", StringComparison.Ordinal))
        {
            blockIndicators = true;
        }

        var precededByWhitespace = true;
        var followedByWhitespace = scalar.Length == 1 || IsWhitespaceOrEnd(scalar[1]);
        var previousSpace = false;
        var previousBreak = false;
        for (var index = 0; index < scalar.Length; index++)
        {
            var ch = scalar[index];
            if (index == 0)
            {
                if (ch < 0x80 && "#,[]{}&*!|>'\"%@`".Contains((char)ch, StringComparison.Ordinal))
                {
                    blockIndicators = true;
                }

                if (ch is '?' or ':' && followedByWhitespace)
                {
                    blockIndicators = true;
                }

                if (ch == '-' && followedByWhitespace)
                {
                    blockIndicators = true;
                }
            }
            else
            {
                if (ch == ':' && followedByWhitespace)
                {
                    blockIndicators = true;
                }

                if (ch == '#' && precededByWhitespace)
                {
                    blockIndicators = true;
                }
            }

            if (IsBreak(ch))
            {
                lineBreaks = true;
            }

            if (!(ch == '\n' || (ch >= 0x20 && ch <= 0x7E)))
            {
                // allow_unicode is False: every other character, printable or not, is special.
                specialCharacters = true;
            }

            if (ch == ' ')
            {
                if (index == 0)
                {
                    leadingSpace = true;
                }

                if (index == scalar.Length - 1)
                {
                    trailingSpace = true;
                }

                if (previousBreak)
                {
                    breakSpace = true;
                }

                previousSpace = true;
                previousBreak = false;
            }
            else if (IsBreak(ch))
            {
                if (index == 0)
                {
                    leadingBreak = true;
                }

                if (index == scalar.Length - 1)
                {
                    trailingBreak = true;
                }

                if (previousSpace)
                {
                    spaceBreak = true;
                }

                previousSpace = false;
                previousBreak = true;
            }
            else
            {
                previousSpace = false;
                previousBreak = false;
            }

            precededByWhitespace = IsWhitespaceOrEnd(ch);
            followedByWhitespace = index + 2 >= scalar.Length || IsWhitespaceOrEnd(scalar[index + 2]);
        }

        var allowBlockPlain = true;
        var allowSingleQuoted = true;
        if (leadingSpace || leadingBreak || trailingSpace || trailingBreak)
        {
            allowBlockPlain = false;
        }

        if (breakSpace)
        {
            allowBlockPlain = allowSingleQuoted = false;
        }

        if (spaceBreak || specialCharacters)
        {
            allowBlockPlain = allowSingleQuoted = false;
        }

        if (lineBreaks || blockIndicators)
        {
            allowBlockPlain = false;
        }

        return new Analysis(Empty: false, Multiline: lineBreaks, allowBlockPlain, allowSingleQuoted);
    }

    private void Write(string data, int length)
    {
        output.Append(data);
        column += length;
    }

    private void Write(int[] points, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            PyStr.Append(output, points[i]);
        }

        column += end - start;
    }

    /// <summary>emitter.py write_indicator.</summary>
    private void WriteIndicator(string indicator, bool needWhitespace, bool isWhitespace = false, bool isIndention = false)
    {
        var data = whitespace || !needWhitespace ? indicator : " " + indicator;
        whitespace = isWhitespace;
        indention = indention && isIndention;
        Write(data, data.Length);
    }

    /// <summary>emitter.py write_indent.</summary>
    private void WriteIndent()
    {
        var target = indent ?? 0;
        if (!indention || column > target || (column == target && !whitespace))
        {
            WriteLineBreak('\n');
        }

        if (column < target)
        {
            whitespace = true;
            output.Append(' ', target - column);
            column = target;
        }
    }

    /// <summary>emitter.py write_line_break.</summary>
    private void WriteLineBreak(int data)
    {
        whitespace = true;
        indention = true;
        column = 0;
        PyStr.Append(output, data);
    }

    /// <summary>emitter.py write_plain: a space becomes a line break when the line is already past 80 columns.</summary>
    private void WritePlain(int[] text, bool split)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (!whitespace)
        {
            Write(" ", 1);
        }

        whitespace = false;
        indention = false;
        var spaces = false;
        var start = 0;
        for (var end = 0; end <= text.Length; end++)
        {
            int? ch = end < text.Length ? text[end] : null;
            if (spaces)
            {
                if (ch != ' ')
                {
                    if (start + 1 == end && column > BestWidth && split)
                    {
                        WriteIndent();
                        whitespace = false;
                        indention = false;
                    }
                    else
                    {
                        Write(text, start, end);
                    }

                    start = end;
                }
            }
            else if (ch is null || ch == ' ' || IsBreak(ch.Value))
            {
                Write(text, start, end);
                start = end;
            }

            if (ch is not null)
            {
                spaces = ch == ' ';
            }
        }
    }

    /// <summary>emitter.py write_single_quoted: quotes doubled, a space folded past 80 columns, line breaks doubled.</summary>
    private void WriteSingleQuoted(int[] text, bool split)
    {
        WriteIndicator("'", true);
        var spaces = false;
        var breaks = false;
        var start = 0;
        for (var end = 0; end <= text.Length; end++)
        {
            int? ch = end < text.Length ? text[end] : null;
            if (spaces)
            {
                if (ch is null || ch != ' ')
                {
                    if (start + 1 == end && column > BestWidth && split && start != 0 && end != text.Length)
                    {
                        WriteIndent();
                    }
                    else
                    {
                        Write(text, start, end);
                    }

                    start = end;
                }
            }
            else if (breaks)
            {
                if (ch is null || !IsBreak(ch.Value))
                {
                    if (text[start] == '\n')
                    {
                        WriteLineBreak('\n');
                    }

                    for (var i = start; i < end; i++)
                    {
                        WriteLineBreak(text[i]);
                    }

                    WriteIndent();
                    start = end;
                }
            }
            else if (ch is null || ch == ' ' || IsBreak(ch.Value) || ch == '\'')
            {
                if (start < end)
                {
                    Write(text, start, end);
                    start = end;
                }
            }

            if (ch == '\'')
            {
                Write("''", 2);
                start = end + 1;
            }

            if (ch is not null)
            {
                spaces = ch == ' ';
                breaks = IsBreak(ch.Value);
            }
        }

        WriteIndicator("'", false);
    }

    /// <summary>emitter.py write_double_quoted with allow_unicode=False: everything but printable ASCII escaped; folded with <c>\</c>.</summary>
    private void WriteDoubleQuoted(int[] text, bool split)
    {
        WriteIndicator("\"", true);
        var start = 0;
        for (var end = 0; end <= text.Length; end++)
        {
            int? ch = end < text.Length ? text[end] : null;
            if (ch is null || ch is '"' or '\\' or 0x85 or 0x2028 or 0x2029 or 0xFEFF || !(ch >= 0x20 && ch <= 0x7E))
            {
                if (start < end)
                {
                    Write(text, start, end);
                    start = end;
                }

                if (ch is not null)
                {
                    var escape = Escape(ch.Value);
                    Write(escape, escape.Length);
                    start = end + 1;
                }
            }

            if (end > 0 && end < text.Length - 1 && (ch == ' ' || start >= end) && column + (end - start) > BestWidth && split)
            {
                // Python's text[start:end] is empty when start is past end (just after an escape).
                var data = (start < end ? PyStr.FromCodePoints(text[start..end]) : "") + "\\";
                var length = Math.Max(0, end - start) + 1;
                if (start < end)
                {
                    start = end;
                }

                Write(data, length);
                WriteIndent();
                whitespace = false;
                indention = false;
                if (text[start] == ' ')
                {
                    Write("\\", 1);
                }
            }
        }

        WriteIndicator("\"", false);
    }

    /// <summary>emitter.py ESCAPE_REPLACEMENTS, else <c>\xXX</c>, <c>\uXXXX</c> or <c>\UXXXXXXXX</c> (upper-case hex).</summary>
    private static string Escape(int ch) => ch switch
    {
        0 => @"\0",
        7 => @"\a",
        8 => @"\b",
        9 => @"\t",
        10 => @"\n",
        11 => @"\v",
        12 => @"\f",
        13 => @"\r",
        0x1B => @"\e",
        '"' => "\\\"",
        '\\' => @"\\",
        0x85 => @"\N",
        0xA0 => @"\_",
        0x2028 => @"\L",
        0x2029 => @"\P",
        <= 0xFF => string.Create(CultureInfo.InvariantCulture, $"\\x{ch:X2}"),
        <= 0xFFFF => string.Create(CultureInfo.InvariantCulture, $"\\u{ch:X4}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"\\U{ch:X8}"),
    };

    /// <summary>Python's string order: by code point (UTF-16 order differs above the surrogates).</summary>
    internal sealed class CodePointComparer : IComparer<string>
    {
        public static readonly CodePointComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = PyStr.CodePoints(x ?? "");
            var b = PyStr.CodePoints(y ?? "");
            for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
            {
                if (a[i] != b[i])
                {
                    return a[i].CompareTo(b[i]);
                }
            }

            return a.Length.CompareTo(b.Length);
        }
    }
}
