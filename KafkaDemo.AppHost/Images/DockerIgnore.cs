using System.Text;
using System.Text.RegularExpressions;

namespace KafkaDemo.AppHost.Images;

/// <summary>
/// A .dockerignore read with Docker's rules (moby/patternmatcher, as the Docker CLI applies it to the
/// build context): each line a pattern on paths relative to the context root, <c>*</c> and <c>?</c>
/// within one path element, <c>**</c> across any number of them, <c>!</c> re-includes, the last
/// matching pattern wins, and a pattern that matches a folder excludes everything under it.
/// </summary>
/// <remarks>The tests read the repository's .dockerignore with it too; the AppHost hashes what it lets into a build context.</remarks>
public sealed class DockerIgnore
{
    private readonly IReadOnlyList<(Regex Pattern, bool Exclude)> _patterns;

    private DockerIgnore(IReadOnlyList<(Regex Pattern, bool Exclude)> patterns) => _patterns = patterns;

    public static DockerIgnore Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new([.. text.ReplaceLineEndings("\n").Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.StartsWith('!') ? (ToRegex(l[1..]), false) : (ToRegex(l), true))]);
    }

    public IReadOnlyList<string> Patterns => [.. _patterns.Select(p => p.Pattern.ToString())];

    /// <summary>Whether the file at <paramref name="path"/> (relative, with /) stays out of the build context.</summary>
    public bool Excludes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var excluded = false;
        foreach (var (pattern, exclude) in _patterns)
        {
            if (Prefixes(path).Any(pattern.IsMatch))
            {
                excluded = exclude;
            }
        }

        return excluded;
    }

    /// <summary>The path and each of its parent folders: a pattern that matches a folder excludes its files.</summary>
    private static IEnumerable<string> Prefixes(string path)
    {
        var parts = path.Split('/');
        for (var i = parts.Length; i > 0; i--)
        {
            yield return string.Join('/', parts[..i]);
        }
    }

    private static Regex ToRegex(string pattern)
    {
        var cleaned = pattern.Trim('/');
        var regex = new StringBuilder("^");
        for (var i = 0; i < cleaned.Length; i++)
        {
            var c = cleaned[i];
            if (c == '*' && i + 1 < cleaned.Length && cleaned[i + 1] == '*')
            {
                // "**/" is zero or more whole folders; a trailing "**" is anything.
                var slash = i + 2 < cleaned.Length && cleaned[i + 2] == '/';
                regex.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
