using System.Text.Json;
using System.Text.RegularExpressions;

namespace KafkaDemo.AppHost.Images;

/// <summary>One instruction of a Dockerfile: its keyword (upper case), its arguments, and the stage it is in (0-based).</summary>
public sealed record DockerInstruction(string Keyword, string Arguments, int Stage);

/// <summary>
/// A Dockerfile read as the builder reads its instructions: comment lines dropped, lines ending in a
/// backslash joined, one instruction per logical line, a new stage at each FROM. The AppHost reads
/// which files a Dockerfile copies from its build context (the inputs an image's tag is a hash of);
/// the tests read the same instructions to check the Dockerfiles.
/// </summary>
public static partial class Dockerfile
{
    /// <exception cref="FormatException">A line is not an instruction.</exception>
    public static IReadOnlyList<DockerInstruction> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var instructions = new List<DockerInstruction>();
        var stage = -1;
        var pending = "";
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var logical = (pending + line).Trim();
            pending = "";
            if (logical.Length == 0)
            {
                continue;
            }

            var match = Instruction().Match(logical);
            if (!match.Success)
            {
                throw new FormatException($"Not a Dockerfile instruction: {logical}");
            }

            var keyword = match.Groups[1].Value.ToUpperInvariant();
            if (keyword == "FROM")
            {
                stage++;
            }

            instructions.Add(new DockerInstruction(keyword, match.Groups[2].Value.Trim(), stage));
        }

        return instructions;
    }

    /// <summary>The name an ARG or ENV instruction sets (ENV may set several: KEY=value KEY2=value2).</summary>
    public static IEnumerable<string> NamesSet(DockerInstruction instruction)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        return instruction.Keyword switch
        {
            "ARG" => [instruction.Arguments.Split('=', 2)[0].Trim()],
            "ENV" when instruction.Arguments.Contains('=', StringComparison.Ordinal) => Assignment().Matches(instruction.Arguments).Select(m => m.Groups[1].Value),
            "ENV" => [instruction.Arguments.Split(' ', 2)[0]],
            _ => [],
        };
    }

    /// <summary>
    /// The build-context paths that COPY and ADD instructions read (every source but the last argument,
    /// the destination), in either form (<c>COPY a b dest/</c> or <c>COPY ["a", "dest/"]</c>); a COPY
    /// --from reads another stage or image, not the context, and is left out.
    /// </summary>
    /// <exception cref="FormatException">A source is a URL, or a wildcard, which the AppHost does not resolve.</exception>
    public static IReadOnlyList<string> ContextSources(IEnumerable<DockerInstruction> instructions)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        var sources = new List<string>();
        foreach (var instruction in instructions.Where(i => i.Keyword is "COPY" or "ADD"))
        {
            var words = Words(instruction.Arguments);
            var flags = words.TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal)).ToList();
            if (flags.Any(f => f.StartsWith("--from", StringComparison.Ordinal)))
            {
                continue;
            }

            var rest = words.Skip(flags.Count).ToList();
            foreach (var source in rest.Take(rest.Count - 1))
            {
                if (source.Contains("://", StringComparison.Ordinal) || source.IndexOfAny(['*', '?', '[']) >= 0)
                {
                    throw new FormatException($"{instruction.Keyword} {instruction.Arguments}: a URL or wildcard source, which the AppHost does not hash.");
                }

                var path = source.StartsWith("./", StringComparison.Ordinal) ? source[2..] : source.TrimStart('/');
                sources.Add(path.TrimEnd('/') is { Length: > 0 } relative ? relative : ".");
            }
        }

        return sources;
    }

    private static List<string> Words(string arguments)
    {
        var trimmed = arguments.Trim();
        var flags = new List<string>();
        while (trimmed.StartsWith("--", StringComparison.Ordinal))
        {
            var end = trimmed.IndexOf(' ', StringComparison.Ordinal);
            flags.Add(end < 0 ? trimmed : trimmed[..end]);
            trimmed = end < 0 ? "" : trimmed[end..].TrimStart();
        }

        // The exec form is a JSON array of strings (Dockerfile reference, COPY: "paths containing whitespace").
        return trimmed.StartsWith('[')
            ? [.. flags, .. JsonSerializer.Deserialize<string[]>(trimmed) ?? []]
            : [.. flags, .. trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }

    [GeneratedRegex(@"^([A-Za-z]+)\s+(.*)$")]
    private static partial Regex Instruction();

    [GeneratedRegex(@"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=")]
    private static partial Regex Assignment();
}
