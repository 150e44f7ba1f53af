using System.Globalization;
using System.Numerics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// <c>yaml.safe_load</c> of PyYAML 6.0 for the files the emulated programs read (vibectl's
/// config.yaml, llm's extra-openai-models.yaml): YamlDotNet parses, and plain scalars are typed
/// by PyYAML's YAML 1.1 implicit resolvers (lib/yaml/resolver.py) and constructors
/// (lib/yaml/constructor.py SafeConstructor: construct_yaml_bool, _int, _float, _null), so
/// <c>yes</c> is True and <c>0x10</c> is 16. Timestamps, merge keys, explicit tags other than the
/// core ones, and aliases are refused (<see cref="NotSupportedException"/>): the stand-in does
/// not model them. A syntax error is a <see cref="YamlException"/>.
/// </summary>
internal static class PyYamlReader
{
    public static object? Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count switch
        {
            0 => null,
            1 => Construct(stream.Documents[0].RootNode),
            _ => throw new YamlException("expected a single document in the stream, but found another document"),
        };
    }

    private static object? Construct(YamlNode node) => node switch
    {
        YamlMappingNode mapping => Mapping(mapping),
        YamlSequenceNode sequence => sequence.Children.Select(Construct).ToList(),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new NotSupportedException($"A YAML node the stand-in does not model: {node.NodeType}"),
    };

    private static PyDict Mapping(YamlMappingNode mapping)
    {
        var dict = new PyDict();
        foreach (var (key, value) in mapping.Children)
        {
            if (Construct(key) is not string name)
            {
                throw new NotSupportedException($"A mapping key that is not a string: {key}");
            }

            dict[name] = Construct(value);
        }

        return dict;
    }

    private static object? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is not null && tag != "!")
        {
            return tag switch
            {
                "tag:yaml.org,2002:str" => value,
                "tag:yaml.org,2002:null" => null,
                "tag:yaml.org,2002:bool" => Bool(value),
                "tag:yaml.org,2002:int" => Int(value),
                "tag:yaml.org,2002:float" => Float(value),
                _ => throw new NotSupportedException($"A YAML tag the stand-in does not model: {tag}"),
            };
        }

        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any) || tag == "!")
        {
            return value;
        }

        return PyYamlResolver.Resolve(value) switch
        {
            PyYamlTag.Str => value,
            PyYamlTag.Null => null,
            PyYamlTag.Bool => Bool(value),
            PyYamlTag.Int => Int(value),
            PyYamlTag.Float => Float(value),
            var other => throw new NotSupportedException($"A YAML value the stand-in does not model ({other}): {value}"),
        };
    }

    private static bool Bool(string value) => value.ToLowerInvariant() switch
    {
        "yes" or "true" or "on" => true,
        "no" or "false" or "off" => false,
        _ => throw new NotSupportedException($"Not a YAML 1.1 bool: {value}"),
    };

    private static BigInteger Int(string value) =>
        TryInt(value, out var result) ? result : throw new NotSupportedException($"Not a YAML 1.1 int: {value}");

    /// <summary>constructor.py construct_yaml_int: underscores dropped, then 0b, 0x, a leading 0 (octal), base 60, or decimal.</summary>
    private static bool TryInt(string text, out BigInteger result)
    {
        result = BigInteger.Zero;
        var value = text.Replace("_", "", StringComparison.Ordinal);
        var sign = BigInteger.One;
        if (value.StartsWith('-') || value.StartsWith('+'))
        {
            sign = value[0] == '-' ? BigInteger.MinusOne : BigInteger.One;
            value = value[1..];
        }

        if (value.Length == 0 || !char.IsAsciiDigit(value[0]))
        {
            return false;
        }

        if (value == "0")
        {
            return true;
        }

        if (value.StartsWith("0b", StringComparison.Ordinal))
        {
            return Digits(value[2..], 2, sign, out result);
        }

        if (value.StartsWith("0x", StringComparison.Ordinal))
        {
            return Digits(value[2..], 16, sign, out result);
        }

        if (value[0] == '0')
        {
            return Digits(value, 8, sign, out result);
        }

        if (value.Contains(':', StringComparison.Ordinal))
        {
            var total = BigInteger.Zero;
            var factor = BigInteger.One;
            foreach (var part in value.Split(':').Reverse())
            {
                if (!Digits(part, 10, BigInteger.One, out var digit))
                {
                    return false;
                }

                total += digit * factor;
                factor *= 60;
            }

            result = sign * total;
            return true;
        }

        return Digits(value, 10, sign, out result);
    }

    private static bool Digits(string digits, int radix, BigInteger sign, out BigInteger result)
    {
        result = BigInteger.Zero;
        if (digits.Length == 0)
        {
            return false;
        }

        foreach (var c in digits.ToLowerInvariant())
        {
            var digit = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : 99;
            if (digit >= radix)
            {
                return false;
            }

            result = (result * radix) + digit;
        }

        result *= sign;
        return true;
    }

    /// <summary>constructor.py construct_yaml_float: underscores dropped, lower-cased, <c>.inf</c>, <c>.nan</c>, base 60, or <c>float()</c>.</summary>
    private static double Float(string text)
    {
        var value = text.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var sign = 1.0;
        if (value.StartsWith('-') || value.StartsWith('+'))
        {
            sign = value[0] == '-' ? -1 : 1;
            value = value[1..];
        }

        if (value == ".inf")
        {
            return sign * double.PositiveInfinity;
        }

        if (value == ".nan")
        {
            return double.NaN;
        }

        if (value.Contains(':', StringComparison.Ordinal))
        {
            var total = 0.0;
            var factor = 1.0;
            foreach (var part in value.Split(':').Reverse())
            {
                total += double.Parse(part, CultureInfo.InvariantCulture) * factor;
                factor *= 60;
            }

            return sign * total;
        }

        return sign * double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
