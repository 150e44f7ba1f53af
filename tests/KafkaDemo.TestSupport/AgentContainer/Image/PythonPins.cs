using System.Text.RegularExpressions;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// The agent image's Python packages (issue 14 defect 5): every line of k3d/agent/requirements.txt
/// a <c>name==version</c> pin, each name once, and the Dockerfile's <c>pip install</c> with
/// <c>--no-deps</c>, since without it pip resolves every requirement the list does not name to its
/// newest release (pip's resolver: an unpinned or absent dependency floats).
/// </summary>
public static partial class PythonPins
{
    /// <summary>The pins by PEP 503 normalised name (runs of -, _ and . are one -, lower case); lines that are no pin are left out.</summary>
    public static IReadOnlyDictionary<string, string> Read(string requirements)
    {
        var pins = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var match in Requirements(requirements).Select(l => Pin().Match(l)).Where(m => m.Success))
        {
            pins.TryAdd(Normalise(match.Groups[1].Value), match.Groups[2].Value);
        }

        return pins;
    }

    /// <summary>What is wrong with the pins and the install, one message each; empty when nothing is.</summary>
    public static IReadOnlyList<string> Problems(string requirements, string dockerfile)
    {
        ArgumentNullException.ThrowIfNull(dockerfile);
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in Requirements(requirements))
        {
            var match = Pin().Match(line);
            if (!match.Success)
            {
                problems.Add($"'{line}' is not name==version.");
            }
            else if (!seen.Add(Normalise(match.Groups[1].Value)))
            {
                problems.Add($"{Normalise(match.Groups[1].Value)} is pinned twice.");
            }
        }

        var installs = dockerfile.Split('\n').Where(l => !l.TrimStart().StartsWith('#') && l.Contains("pip install", StringComparison.Ordinal)).ToList();
        if (installs.Count != 1)
        {
            problems.Add($"The Dockerfile has {installs.Count} pip install lines, not one.");
        }
        else if (!installs[0].Contains("--no-deps", StringComparison.Ordinal))
        {
            problems.Add($"The pip install line does not say --no-deps: {installs[0].Trim()}");
        }

        return problems;
    }

    private static IEnumerable<string> Requirements(string requirements) =>
        requirements.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));

    private static string Normalise(string name) => NameSeparators().Replace(name, "-").ToLowerInvariant();

    [GeneratedRegex(@"^([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][0-9A-Za-z.!+]*)$")]
    private static partial Regex Pin();

    [GeneratedRegex("[-_.]+")]
    private static partial Regex NameSeparators();
}
