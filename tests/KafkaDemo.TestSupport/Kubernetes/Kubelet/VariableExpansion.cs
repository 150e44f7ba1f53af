using System.Text;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// Kubernetes' <c>$(VAR)</c> expansion in <c>env[].value</c>, as kubernetes third_party/forked/golang/expansion
/// Expand and MappingFuncFor do it: <c>$(NAME)</c> becomes NAME's value if it is defined (else stays as
/// written), <c>$$</c> becomes <c>$</c>, an unclosed <c>$(</c> and a <c>$</c> before anything else stay
/// as they are.
/// </summary>
internal static class VariableExpansion
{
    public static string Expand(string input, Func<string, string?> lookup)
    {
        var output = new StringBuilder();
        var checkpoint = 0;
        for (var cursor = 0; cursor < input.Length; cursor++)
        {
            if (input[cursor] != '$' || cursor + 1 >= input.Length)
            {
                continue;
            }

            output.Append(input, checkpoint, cursor - checkpoint);
            var (read, isVariable, advance) = ReadVariableName(input.AsSpan(cursor + 1));
            output.Append(isVariable ? lookup(read) ?? $"$({read})" : read);
            cursor += advance;
            checkpoint = cursor + 1;
        }

        return output.Append(input, checkpoint, input.Length - checkpoint).ToString();
    }

    /// <summary>What follows a <c>$</c>: an escaped <c>$</c>, a closed reference, or text to keep.</summary>
    private static (string Read, bool IsVariable, int Advance) ReadVariableName(ReadOnlySpan<char> input)
    {
        switch (input[0])
        {
            case '$':
                return ("$", false, 1);
            case '(':
                var close = input[1..].IndexOf(')');
                return close < 0 ? ("$(", false, 1) : (input.Slice(1, close).ToString(), true, close + 2);
            default:
                return ("$" + input[0], false, 1);
        }
    }
}
