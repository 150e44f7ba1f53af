using System.Text.RegularExpressions;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>The tag PyYAML's implicit resolvers give a plain scalar (lib/yaml/resolver.py Resolver, YAML 1.1).</summary>
internal enum PyYamlTag
{
    Str,
    Bool,
    Float,
    Int,
    Merge,
    Null,
    Timestamp,
    Value,
    Yaml,
}

/// <summary>
/// lib/yaml/resolver.py: the implicit resolvers of PyYAML 6.0, picked by a plain scalar's first
/// character and tried in the order they were added (bool, float, int, merge, null, timestamp,
/// value, yaml); the first whose pattern matches names the tag. Python's <c>$</c> also matches
/// before a final newline.
/// </summary>
internal static partial class PyYamlResolver
{
    /// <summary>The tag of a plain scalar with this text.</summary>
    public static PyYamlTag Resolve(string value)
    {
        // resolver.py BaseResolver.resolve: the resolvers registered for the first character ('' for
        // the empty string), in the order add_implicit_resolver was called.
        var first = value.Length == 0 ? "" : value[..1];
        (PyYamlTag Tag, string FirstCharacters, Regex Pattern)[] resolvers =
        [
            (PyYamlTag.Bool, "yYnNtTfFoO", BoolPattern()),
            (PyYamlTag.Float, "-+0123456789.", FloatPattern()),
            (PyYamlTag.Int, "-+0123456789", IntPattern()),
            (PyYamlTag.Merge, "<", MergePattern()),
            (PyYamlTag.Null, "~nN", NullPattern()),
            (PyYamlTag.Timestamp, "0123456789", TimestampPattern()),
            (PyYamlTag.Value, "=", ValuePattern()),
            (PyYamlTag.Yaml, "!&*", YamlPattern()),
        ];
        foreach (var (tag, firstCharacters, pattern) in resolvers)
        {
            var applies = first.Length == 0 ? tag == PyYamlTag.Null : firstCharacters.Contains(first, StringComparison.Ordinal);
            if (applies && (pattern.IsMatch(value) || (value.EndsWith('\n') && pattern.IsMatch(value[..^1]))))
            {
                return tag;
            }
        }

        return PyYamlTag.Str;
    }

    [GeneratedRegex(@"\A(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)\z")]
    private static partial Regex BoolPattern();

    [GeneratedRegex(@"\A(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\z")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"\A(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)\z")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"\A(?:<<)\z")]
    private static partial Regex MergePattern();

    [GeneratedRegex(@"\A(?:~|null|Null|NULL|)\z")]
    private static partial Regex NullPattern();

    [GeneratedRegex(@"\A(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\z")]
    private static partial Regex TimestampPattern();

    [GeneratedRegex(@"\A(?:=)\z")]
    private static partial Regex ValuePattern();

    [GeneratedRegex(@"\A(?:!|&|\*)\z")]
    private static partial Regex YamlPattern();

}
