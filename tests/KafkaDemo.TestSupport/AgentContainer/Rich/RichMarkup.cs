using System.Text;
using System.Text.RegularExpressions;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// Rich 14.1.0's console markup (rich/markup.py render), reduced to what reaches a terminal without
/// colour: the text with every tag <c>[a-z#/@...]</c> taken out, escaped tags and brackets put back,
/// emoji codes replaced in the text between tags, and Rich's errors for closing tags that close nothing.
/// </summary>
internal static partial class RichMarkup
{
    /// <summary>The plain text of <paramref name="markup"/>, as <c>render(markup).plain</c> is.</summary>
    /// <exception cref="MarkupException">A closing tag matches no open tag (rich.errors.MarkupError, with Rich's message).</exception>
    public static string Render(string markup, bool emoji)
    {
        // markup.py render: without "[" there is nothing to parse; only emoji codes change.
        if (!markup.Contains('[', StringComparison.Ordinal))
        {
            return emoji ? EmojiCodes.Replace(markup) : markup;
        }

        var text = new StringBuilder();
        var stack = new List<(string Name, string? Parameters)>();
        foreach (var (position, plain, tag) in Parse(markup))
        {
            if (plain is not null)
            {
                // render: "Handle open brace escapes, where the brace is not part of a tag."
                var unescaped = plain.Replace(@"\[", "[", StringComparison.Ordinal);
                text.Append(emoji ? EmojiCodes.Replace(unescaped) : unescaped);
                continue;
            }

            var (name, parameters) = tag!.Value;
            if (!name.StartsWith('/'))
            {
                stack.Add((Normalize(name), parameters));
                continue;
            }

            var styleName = PyStr.Strip(name[1..]);
            (string Name, string? Parameters) open;
            if (styleName.Length > 0)
            {
                var normalized = Normalize(styleName);
                var index = stack.FindLastIndex(t => t.Name == normalized);
                if (index < 0)
                {
                    var tagMarkup = parameters is null ? $"[{name}]" : $"[{name}={parameters}]";
                    throw new MarkupException($"closing tag '{tagMarkup}' at position {PyStr.Length(markup[..position])} doesn't match any open tag");
                }

                open = stack[index];
                stack.RemoveAt(index);
            }
            else
            {
                if (stack.Count == 0)
                {
                    throw new MarkupException($"closing tag '[/]' at position {PyStr.Length(markup[..position])} has nothing to close");
                }

                open = stack[^1];
                stack.RemoveAt(stack.Count - 1);
            }

            if (open.Name.StartsWith('@') && open.Parameters is { } meta && !IsSimpleMeta(meta))
            {
                // render: a meta tag's parameters go through ast.literal_eval; a failure is a
                // MarkupError. Stricter: anything but a name with "()" or a plain literal is refused.
                throw new MarkupException($"error parsing {PyStr.Repr(meta)}; the stand-in evaluates only simple meta parameters");
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Style.normalize: Rich compares tag names after <c>str(Style.parse(name))</c>, or
    /// <c>name.strip().lower()</c> when that fails. This stand-in always takes the second; two names
    /// it finds equal Rich finds equal too, so a difference can only be a MarkupError Rich would not raise.
    /// </summary>
    private static string Normalize(string name) => PyStr.Strip(name).ToLowerInvariant();

    private static bool IsSimpleMeta(string parameters) =>
        SimpleMetaPattern().IsMatch(PyStr.Strip(parameters));

    /// <summary>markup.py _parse: (position, text, tag) for each piece, with backslash escapes applied.</summary>
    private static IEnumerable<(int Position, string? Text, (string Name, string? Parameters)? Tag)> Parse(string markup)
    {
        var position = 0;
        foreach (Match match in TagPattern().Matches(markup))
        {
            var fullText = match.Groups[1].Value;
            var escapes = match.Groups[2].Value;
            var tagText = match.Groups[3].Value;
            var start = match.Index;
            var end = match.Index + match.Length;
            if (start > position)
            {
                yield return (start, markup[position..start], null);
            }

            if (escapes.Length > 0)
            {
                var backslashes = escapes.Length / 2;
                var escaped = escapes.Length % 2;
                if (backslashes > 0)
                {
                    yield return (start, new string('\\', backslashes), null);
                    start += backslashes * 2;
                }

                if (escaped > 0)
                {
                    yield return (start, fullText[escapes.Length..], null);
                    position = end;
                    continue;
                }
            }

            var equals = tagText.IndexOf('=', StringComparison.Ordinal);
            yield return (start, null, equals < 0 ? (tagText, null) : (tagText[..equals], tagText[(equals + 1)..]));
            position = end;
        }

        if (position < markup.Length)
        {
            yield return (position, markup[position..], null);
        }
    }

    /// <summary>markup.py RE_TAGS: <c>((\\*)\[([a-z#/@][^[]*?)])</c>.</summary>
    [GeneratedRegex(@"((\\*)\[([a-z#/@][^\[]*?)])", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"\A(?:[\w.]*\(\)|-?[0-9]+|'[^'\\]*'|""[^""\\]*""|True|False|None)\z", RegexOptions.CultureInvariant)]
    private static partial Regex SimpleMetaPattern();
}

/// <summary>rich.errors.MarkupError: console markup Rich cannot render.</summary>
internal sealed class MarkupException : Exception
{
    public MarkupException()
    {
    }

    public MarkupException(string message)
        : base(message)
    {
    }

    public MarkupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
