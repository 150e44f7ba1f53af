using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>What the fake makes of a pattern given to CEL's <c>matches</c>.</summary>
internal enum Re2Verdict
{
    /// <summary>Go's regexp accepts it and the fake can run it with the same meaning.</summary>
    Valid,

    /// <summary>Go's regexp (RE2 syntax) refuses it, as Kubernetes then does.</summary>
    Invalid,

    /// <summary>Go accepts it, but the fake cannot give it the same meaning in .NET.</summary>
    Untranslatable,
}

/// <summary>
/// CEL's <c>matches</c> in Kubernetes is Go's regexp (RE2 syntax, regexp/syntax): no lookaround, no
/// backreferences, no atomic groups or possessive quantifiers, repeat counts up to 1000, ASCII-only
/// <c>\d \w \s</c>, and <c>$</c> that matches only at the very end unless <c>(?m)</c>. .NET's Regex accepts more
/// and means more by some of it, so a pattern is checked against RE2's rules and translated (shorthand
/// classes spelled out in ASCII, <c>$</c> as <c>\z</c>, <c>(?P&lt;name&gt;</c> as <c>(?&lt;name&gt;</c>, POSIX
/// classes and one-letter <c>\pL</c> spelled out) before .NET runs it.
/// </summary>
internal static class Re2Pattern
{
    private const string Word = "0-9A-Za-z_";
    private const string Space = @"\t\n\f\r ";
    private const string KnownEscapes = "aftnrvxpPdDsSwWbBAz";

    private static readonly HashSet<string> Categories =
    [
        "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
        "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs", "Co", "Cn",
    ];

    private static readonly Dictionary<string, string> Posix = new(StringComparer.Ordinal)
    {
        ["alpha"] = "A-Za-z", ["digit"] = "0-9", ["alnum"] = "0-9A-Za-z", ["upper"] = "A-Z", ["lower"] = "a-z",
        ["space"] = @"\t\n\v\f\r ", ["xdigit"] = "0-9A-Fa-f", ["word"] = Word, ["blank"] = @"\t ",
    };

    public static Re2Verdict Check(string pattern) => Translate(pattern, out _);

    /// <summary>The .NET pattern with Go's meaning, or the verdict that there is none.</summary>
    public static Re2Verdict Translate(string pattern, out string translated)
    {
        var output = new StringBuilder();
        translated = pattern;
        var multiline = Regex.IsMatch(pattern, @"\(\?[a-zA-Z]*m");
        var inClass = false;
        var classStart = -1;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 >= pattern.Length)
                {
                    return Re2Verdict.Invalid;
                }

                var next = pattern[++i];
                if (next is >= '1' and <= '9' && !(i + 1 < pattern.Length && pattern[i + 1] is >= '0' and <= '7'))
                {
                    return Re2Verdict.Invalid; // a backreference
                }

                if (char.IsAsciiDigit(next))
                {
                    return Re2Verdict.Untranslatable; // an octal escape: .NET would read it differently
                }

                if (char.IsAsciiLetter(next) && !KnownEscapes.Contains(next, StringComparison.Ordinal))
                {
                    return next == 'Q' ? Re2Verdict.Untranslatable : Re2Verdict.Invalid;
                }

                switch (next)
                {
                    case 'd':
                        output.Append(inClass ? "0-9" : "[0-9]");
                        break;
                    case 'w':
                        output.Append(inClass ? Word : $"[{Word}]");
                        break;
                    case 's':
                        output.Append(inClass ? Space : $"[{Space}]");
                        break;
                    case 'D' or 'W' or 'S' when inClass:
                        return Re2Verdict.Untranslatable;
                    case 'D':
                        output.Append("[^0-9]");
                        break;
                    case 'W':
                        output.Append($"[^{Word}]");
                        break;
                    case 'S':
                        output.Append($"[^{Space}]");
                        break;
                    case 'p' or 'P':
                        var name = i + 1 < pattern.Length && pattern[i + 1] == '{'
                            ? pattern[(i + 2)..Math.Max(i + 2, pattern.IndexOf('}', i + 1))]
                            : i + 1 < pattern.Length ? pattern[i + 1].ToString() : "";
                        if (!Categories.Contains(name.TrimStart('^')))
                        {
                            return name.Length == 0 ? Re2Verdict.Invalid : Re2Verdict.Untranslatable;
                        }

                        output.Append('\\').Append(next).Append('{').Append(name).Append('}');
                        i += pattern[i + 1] == '{' ? name.Length + 2 : 1;
                        break;
                    default:
                        output.Append('\\').Append(next);
                        break;
                }

                continue;
            }

            if (inClass)
            {
                if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
                {
                    var end = pattern.IndexOf(":]", i + 2, StringComparison.Ordinal);
                    var posix = end < 0 ? "" : pattern[(i + 2)..end];
                    if (!Posix.TryGetValue(posix.TrimStart('^'), out var spelled) || posix.StartsWith('^'))
                    {
                        return end < 0 ? Re2Verdict.Valid : Re2Verdict.Untranslatable;
                    }

                    output.Append(spelled);
                    i = end + 1;
                    continue;
                }

                if (c == ']' && i > classStart + 1 && !(i == classStart + 2 && pattern[classStart + 1] == '^'))
                {
                    inClass = false;
                }

                output.Append(c);
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    classStart = i;
                    output.Append(c);
                    break;
                case '$' when !multiline:
                    output.Append(@"\z");
                    break;
                case '(' when i + 1 < pattern.Length && pattern[i + 1] == '?':
                    var group = pattern[(i + 2)..];
                    if (group.StartsWith("P<", StringComparison.Ordinal))
                    {
                        output.Append("(?<");
                        i += 3;
                    }
                    else if (group.StartsWith(':') || (group.StartsWith('<') && !group.StartsWith("<=", StringComparison.Ordinal) && !group.StartsWith("<!", StringComparison.Ordinal)))
                    {
                        output.Append("(?");
                        i += 1;
                    }
                    else if (Regex.Match(group, "^[imsU-]+[:)]") is { Success: true } flags)
                    {
                        if (flags.Value.Contains('U', StringComparison.Ordinal))
                        {
                            return Re2Verdict.Untranslatable;
                        }

                        output.Append("(?");
                        i += 1;
                    }
                    else
                    {
                        return Re2Verdict.Invalid; // lookaround, atomic groups, comments, conditionals
                    }

                    break;
                case '{' when Regex.Match(pattern[i..], "^\\{([0-9]+)(,([0-9]*))?\\}") is { Success: true } repeat:
                    if (int.Parse(repeat.Groups[1].Value, CultureInfo.InvariantCulture) > 1000
                        || (repeat.Groups[3].Value.Length > 0 && int.Parse(repeat.Groups[3].Value, CultureInfo.InvariantCulture) > 1000))
                    {
                        return Re2Verdict.Invalid; // "invalid repeat count"
                    }

                    output.Append(repeat.Value);
                    i += repeat.Length - 1;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '+')
                    {
                        return Re2Verdict.Invalid;
                    }

                    break;
                case '*' or '+' or '?' when i + 1 < pattern.Length && pattern[i + 1] is '+' or '*':
                    return Re2Verdict.Invalid; // "invalid nested repetition operator"
                default:
                    output.Append(c);
                    break;
            }
        }

        if (inClass)
        {
            return Re2Verdict.Invalid; // "missing closing ]"
        }

        try
        {
            _ = new Regex(output.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            return Re2Verdict.Invalid;
        }

        translated = output.ToString();
        return Re2Verdict.Valid;
    }
}
