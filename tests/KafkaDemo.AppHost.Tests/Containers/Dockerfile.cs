using System.Text.RegularExpressions;

namespace KafkaDemo.AppHost.Tests.Containers;

/// <summary>One instruction of a Dockerfile: its keyword (upper case), its arguments, and the stage it is in (0-based).</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments, int Stage);

/// <summary>
/// A Dockerfile read as the builder reads its instructions: comment lines dropped, lines ending in a
/// backslash joined, one instruction per logical line, a new stage at each FROM.
/// </summary>
internal static partial class Dockerfile
{
    public static IReadOnlyList<DockerInstruction> Parse(string text)
    {
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
            Assert.True(match.Success, $"Not a Dockerfile instruction: {logical}");
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
    public static IEnumerable<string> NamesSet(DockerInstruction instruction) => instruction.Keyword switch
    {
        "ARG" => [instruction.Arguments.Split('=', 2)[0].Trim()],
        "ENV" when instruction.Arguments.Contains('=', StringComparison.Ordinal) => Assignment().Matches(instruction.Arguments).Select(m => m.Groups[1].Value),
        "ENV" => [instruction.Arguments.Split(' ', 2)[0]],
        _ => [],
    };

    [GeneratedRegex(@"^([A-Za-z]+)\s+(.*)$")]
    private static partial Regex Instruction();

    [GeneratedRegex(@"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=")]
    private static partial Regex Assignment();
}
