using System.Numerics;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>What a click option takes.</summary>
internal enum ClickOptionKind
{
    /// <summary>A flag; with a secondary name (<c>--x/--no-x</c>) the second sets False.</summary>
    Flag,

    /// <summary>A string value.</summary>
    Text,

    /// <summary>An integer value (click.INT: <c>int(value)</c>).</summary>
    Integer,

    /// <summary>One of <see cref="ClickOption.Choices"/>, case-insensitively.</summary>
    Choice,
}

/// <summary>A click option: its names (long and short), an optional off-name for boolean flags, its kind.</summary>
internal sealed record ClickOption(string Dest, IReadOnlyList<string> Names, ClickOptionKind Kind, string? OffName = null, IReadOnlyList<string>? Choices = null);

/// <summary>A click argument: its name, whether it takes all remaining words (nargs=-1), whether it is required.</summary>
internal sealed record ClickArgument(string Name, bool Variadic = false, bool Required = true);

/// <summary>What a command's arguments parse to.</summary>
internal sealed class ClickParseResult
{
    public Dictionary<string, object?> Options { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, object?> Arguments { get; } = new(StringComparer.Ordinal);

    /// <summary>For a group: the words from the subcommand on.</summary>
    public List<string> Rest { get; } = [];

    public bool Help { get; set; }

    public T? Option<T>(string dest) => Options.TryGetValue(dest, out var value) && value is T typed ? typed : default;
}

/// <summary>
/// The command-line parsing of asyncclick 8.1.8 (click's parser.py OptionParser and core.py
/// Command.parse_args) for vibectl's commands: options anywhere before <c>--</c> (a group stops at
/// its first word), <c>--opt=value</c>, <c>-oVALUE</c>, a <c>--</c> consumed once, then arguments
/// in order; and click's errors, as <c>str(e)</c> words them (vibectl shows them through
/// handle_exception, without "Usage:"): <c>No such option: --x</c>, <c>Option '--x' requires an
/// argument.</c>, <c>'abc' is not a valid integer.</c>, <c>Missing parameter: value</c>,
/// <c>Got unexpected extra argument (x)</c>.
/// </summary>
internal static class ClickCommand
{
    public static ClickParseResult Parse(IReadOnlyList<string> args, IReadOnlyList<ClickOption> options, IReadOnlyList<ClickArgument> arguments, bool isGroup)
    {
        var result = new ClickParseResult();
        var positional = new List<string>();
        var rest = new Queue<string>(args);
        while (rest.Count > 0)
        {
            var arg = rest.Dequeue();
            if (arg == "--")
            {
                break;
            }

            if (arg.Length > 1 && arg[0] == '-')
            {
                if (arg == "--help")
                {
                    result.Help = true;
                    continue;
                }

                ProcessOption(arg, rest, options, result);
                continue;
            }

            if (isGroup)
            {
                // A group's parser does not intersperse: the first word is the subcommand.
                positional.Add(arg);
                break;
            }

            positional.Add(arg);
        }

        positional.AddRange(rest);
        if (isGroup)
        {
            result.Rest.AddRange(positional);
            return result;
        }

        var index = 0;
        foreach (var argument in arguments)
        {
            if (argument.Variadic)
            {
                result.Arguments[argument.Name] = positional.Skip(index).ToList();
                index = positional.Count;
                continue;
            }

            if (index < positional.Count)
            {
                result.Arguments[argument.Name] = positional[index++];
            }
            else if (argument.Required)
            {
                throw new PyError("MissingParameter", $"Missing parameter: {argument.Name}");
            }
            else
            {
                result.Arguments[argument.Name] = null;
            }
        }

        if (index < positional.Count)
        {
            var extra = positional.Skip(index).ToList();
            throw new PyError("UsageError", extra.Count == 1
                ? $"Got unexpected extra argument ({extra[0]})"
                : $"Got unexpected extra arguments ({string.Join(' ', extra)})");
        }

        return result;
    }

    /// <summary>parser.py _process_opts: a long option (with <c>=value</c>), else short options.</summary>
    private static void ProcessOption(string arg, Queue<string> rest, IReadOnlyList<ClickOption> options, ClickParseResult result)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? arg : arg[..equals];
        string? explicitValue = equals < 0 ? null : arg[(equals + 1)..];
        var longMatch = options.FirstOrDefault(o => o.Names.Contains(name) && name.StartsWith("--", StringComparison.Ordinal) || o.OffName == name);
        if (longMatch is not null)
        {
            Apply(longMatch, name, explicitValue, rest, result);
            return;
        }

        if (arg.StartsWith("--", StringComparison.Ordinal))
        {
            throw new PyError("NoSuchOption", $"No such option: {name}");
        }

        // _match_short_opt: each character after "-" is an option; one taking a value takes the rest.
        for (var i = 1; i < arg.Length; i++)
        {
            var shortName = "-" + arg[i];
            var option = options.FirstOrDefault(o => o.Names.Contains(shortName))
                ?? throw new PyError("NoSuchOption", $"No such option: {shortName}");
            if (option.Kind == ClickOptionKind.Flag)
            {
                Apply(option, shortName, null, rest, result);
                continue;
            }

            Apply(option, shortName, i + 1 < arg.Length ? arg[(i + 1)..] : null, rest, result);
            return;
        }
    }

    private static void Apply(ClickOption option, string name, string? explicitValue, Queue<string> rest, ClickParseResult result)
    {
        if (option.Kind == ClickOptionKind.Flag)
        {
            if (explicitValue is not null)
            {
                throw new PyError("BadOptionUsage", $"Option '{name}' does not take a value.");
            }

            result.Options[option.Dest] = name != option.OffName;
            return;
        }

        var value = explicitValue ?? (rest.Count > 0 ? rest.Dequeue() : throw new PyError("BadOptionUsage", $"Option '{name}' requires an argument."));
        result.Options[option.Dest] = option.Kind switch
        {
            ClickOptionKind.Integer => PyValue.TryParseInt(value, out var number) ? number
                : throw new PyError("BadParameter", $"{PyStr.Repr(value)} is not a valid integer."),
            ClickOptionKind.Choice => option.Choices!.FirstOrDefault(c => string.Equals(c, value, StringComparison.OrdinalIgnoreCase))
                ?? throw new PyError("BadParameter", $"{PyStr.Repr(value)} is not one of {string.Join(", ", option.Choices!.Select(PyStr.Repr))}."),
            _ => value,
        };
    }

    /// <summary>An option's value as an int (BigInteger from click.INT), or null.</summary>
    public static BigInteger? Integer(this ClickParseResult result, string dest) =>
        result.Options.TryGetValue(dest, out var value) && value is BigInteger number ? number : null;

    /// <summary>A boolean flag's value, or null when not given.</summary>
    public static bool? Flag(this ClickParseResult result, string dest) =>
        result.Options.TryGetValue(dest, out var value) && value is bool flag ? flag : null;
}
