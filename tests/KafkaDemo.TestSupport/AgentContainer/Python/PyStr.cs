using System.Globalization;
using System.Text;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// Python 3 string semantics the emulated programs rely on: a <c>str</c> is a sequence of code
/// points (C# strings are UTF-16, so lengths and slices differ for characters outside the BMP),
/// <c>str.isspace</c>, <c>strip</c>, <c>splitlines</c> and <c>repr</c>.
/// </summary>
internal static class PyStr
{
    /// <summary>The code points of a string (a lone surrogate counts as one, as Python's surrogateescape would).</summary>
    public static int[] CodePoints(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var points = new List<int>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                points.Add(char.ConvertToUtf32(text[i], text[i + 1]));
                i++;
            }
            else
            {
                points.Add(text[i]);
            }
        }

        return [.. points];
    }

    public static string FromCodePoints(IEnumerable<int> points)
    {
        var builder = new StringBuilder();
        foreach (var point in points)
        {
            Append(builder, point);
        }

        return builder.ToString();
    }

    public static void Append(StringBuilder builder, int point)
    {
        if (point is >= 0xD800 and <= 0xDFFF or < 0x10000)
        {
            builder.Append((char)point);
        }
        else
        {
            builder.Append(char.ConvertFromUtf32(point));
        }
    }

    /// <summary><c>len(text)</c>: code points.</summary>
    public static int Length(string text) => CodePoints(text).Length;

    /// <summary><c>text[:count]</c> for a count of code points, negative counting from the end, as Python slices.</summary>
    public static string Prefix(string text, long count)
    {
        var points = CodePoints(text);
        var end = count < 0 ? Math.Max(0, points.Length + count) : Math.Min(points.Length, count);
        return FromCodePoints(points.Take((int)end));
    }

    /// <summary>
    /// <c>str.isspace()</c> for one code point (Python 3.11, Unicode 14): bidirectional class WS, B or
    /// S, or general category Zs. Unlike .NET's <c>char.IsWhiteSpace</c>, it includes U+001C..U+001F.
    /// </summary>
    public static bool IsSpace(int point) => point is (>= 0x09 and <= 0x0D) or (>= 0x1C and <= 0x20) or 0x85 or 0xA0 or 0x1680
        or (>= 0x2000 and <= 0x200A) or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;

    /// <summary><c>str.strip()</c>.</summary>
    public static string Strip(string text) => RStrip(LStrip(text));

    public static string LStrip(string text)
    {
        var points = CodePoints(text);
        var start = 0;
        while (start < points.Length && IsSpace(points[start]))
        {
            start++;
        }

        return start == 0 ? text : FromCodePoints(points.Skip(start));
    }

    public static string RStrip(string text)
    {
        var points = CodePoints(text);
        var end = points.Length;
        while (end > 0 && IsSpace(points[end - 1]))
        {
            end--;
        }

        return end == points.Length ? text : FromCodePoints(points.Take(end));
    }

    /// <summary><c>str.strip(chars)</c> with an explicit set of characters.</summary>
    public static string Strip(string text, string chars) => text.Trim(chars.ToCharArray());

    /// <summary>The line boundaries of <c>str.splitlines</c>: <c>\n \r \v \f \x1c \x1d \x1e \x85 \u2028 \u2029</c> (and <c>\r\n</c>).</summary>
    public static bool IsLineBoundary(int point) => point is 0x0A or 0x0B or 0x0C or 0x0D or 0x1C or 0x1D or 0x1E or 0x85 or 0x2028 or 0x2029;

    /// <summary><c>str.splitlines()</c> (without the line ends).</summary>
    public static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var points = CodePoints(text);
        var current = new StringBuilder();
        for (var i = 0; i < points.Length; i++)
        {
            if (IsLineBoundary(points[i]))
            {
                lines.Add(current.ToString());
                current.Clear();
                if (points[i] == 0x0D && i + 1 < points.Length && points[i + 1] == 0x0A)
                {
                    i++;
                }

                continue;
            }

            Append(current, points[i]);
        }

        if (current.Length > 0)
        {
            lines.Add(current.ToString());
        }

        return lines;
    }

    /// <summary><c>str.split()</c> without arguments: runs of whitespace separate, none at the ends.</summary>
    public static List<string> SplitWhitespace(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var point in CodePoints(text))
        {
            if (IsSpace(point))
            {
                if (current.Length > 0)
                {
                    words.Add(current.ToString());
                    current.Clear();
                }

                continue;
            }

            Append(current, point);
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    /// <summary>
    /// <c>repr(text)</c>: single quotes unless the text holds a single quote and no double quote;
    /// backslash escapes for the quote, backslash, <c>\t \n \r</c> and characters that are not printable.
    /// </summary>
    public static string Repr(string text)
    {
        var quote = text.Contains('\'', StringComparison.Ordinal) && !text.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var builder = new StringBuilder().Append(quote);
        foreach (var point in CodePoints(text))
        {
            switch (point)
            {
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\t':
                    builder.Append(@"\t");
                    break;
                case '\n':
                    builder.Append(@"\n");
                    break;
                case '\r':
                    builder.Append(@"\r");
                    break;
                default:
                    if (point == quote)
                    {
                        builder.Append('\\').Append(quote);
                    }
                    else if (IsPrintable(point))
                    {
                        Append(builder, point);
                    }
                    else
                    {
                        builder.Append(point switch
                        {
                            <= 0xFF => string.Create(CultureInfo.InvariantCulture, $"\\x{point:x2}"),
                            <= 0xFFFF => string.Create(CultureInfo.InvariantCulture, $"\\u{point:x4}"),
                            _ => string.Create(CultureInfo.InvariantCulture, $"\\U{point:x8}"),
                        });
                    }

                    break;
            }
        }

        return builder.Append(quote).ToString();
    }

    /// <summary><c>str.isprintable()</c> for one code point: not in categories Cc, Cf, Cs, Co, Cn, Zl, Zp, nor Zs other than the space.</summary>
    public static bool IsPrintable(int point)
    {
        if (point == ' ')
        {
            return true;
        }

        if (point is >= 0xD800 and <= 0xDFFF)
        {
            return false;
        }

        return CharUnicodeInfo.GetUnicodeCategory(point) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }

    /// <summary>Whether the code point is a decimal digit (<c>str.isdecimal</c>), with its value.</summary>
    public static bool IsDecimal(int point, out int value)
    {
        value = -1;
        if (point is >= '0' and <= '9')
        {
            value = point - '0';
            return true;
        }

        if (point < 0x80 || point is >= 0xD800 and <= 0xDFFF || CharUnicodeInfo.GetUnicodeCategory(point) != UnicodeCategory.DecimalDigitNumber)
        {
            return false;
        }

        value = CharUnicodeInfo.GetDecimalDigitValue(char.ConvertFromUtf32(point), 0);
        return value >= 0;
    }

    /// <summary><c>str.isdigit()</c> of a whole string (used by Rich for COLUMNS): decimal digits only here, which is stricter for superscripts.</summary>
    public static bool IsAllDigits(string text) => text.Length > 0 && CodePoints(text).All(p => IsDecimal(p, out _));
}
