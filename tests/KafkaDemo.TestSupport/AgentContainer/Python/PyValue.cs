using System.Globalization;
using System.Numerics;
using System.Text;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// Python values as the emulated programs hold them: <c>None</c> (null), <c>bool</c>, <c>int</c>
/// (<see cref="BigInteger"/>), <c>float</c> (<see cref="double"/>), <c>str</c>, <c>list</c>
/// (<see cref="List{T}"/>) and <c>dict</c> (<see cref="PyDict"/>, insertion-ordered), with Python's
/// <c>int()</c>, <c>float()</c>, <c>str()</c> and <c>repr()</c>.
/// </summary>
internal static class PyValue
{
    /// <summary>
    /// <c>int(text)</c> for base 10 (CPython Objects/longobject.c PyLong_FromString): surrounding
    /// whitespace, one sign, decimal digits (any script) with single underscores between them.
    /// </summary>
    public static bool TryParseInt(string text, out BigInteger value)
    {
        value = BigInteger.Zero;
        var points = PyStr.CodePoints(PyStr.Strip(text));
        var i = 0;
        var negative = false;
        if (i < points.Length && points[i] is '+' or '-')
        {
            negative = points[i] == '-';
            i++;
        }

        if (i == points.Length)
        {
            return false;
        }

        var digits = 0;
        var previousUnderscore = false;
        for (; i < points.Length; i++)
        {
            if (points[i] == '_')
            {
                if (digits == 0 || previousUnderscore)
                {
                    return false;
                }

                previousUnderscore = true;
                continue;
            }

            if (!PyStr.IsDecimal(points[i], out var digit))
            {
                return false;
            }

            value = (value * 10) + digit;
            digits++;
            previousUnderscore = false;
        }

        if (previousUnderscore || digits == 0)
        {
            return false;
        }

        value = negative ? -value : value;
        return true;
    }

    /// <summary>
    /// <c>float(text)</c> (CPython Objects/floatobject.c, Python/pystrtod.c): surrounding whitespace,
    /// <c>inf</c>, <c>infinity</c>, <c>nan</c> in any case with a sign, or a decimal number with an
    /// optional exponent and underscores between digits.
    /// </summary>
    public static bool TryParseFloat(string text, out double value)
    {
        value = 0;
        var stripped = PyStr.Strip(text);
        var ascii = new StringBuilder();
        foreach (var point in PyStr.CodePoints(stripped))
        {
            if (PyStr.IsDecimal(point, out var digit))
            {
                ascii.Append((char)('0' + digit));
            }
            else if (point < 0x80)
            {
                ascii.Append((char)point);
            }
            else
            {
                return false;
            }
        }

        var s = ascii.ToString();
        var unsigned = s.TrimStart('+', '-');
        if (unsigned.Length != s.Length - (s.StartsWith('+') || s.StartsWith('-') ? 1 : 0))
        {
            return false;
        }

        var negative = s.StartsWith('-');
        switch (unsigned.ToLowerInvariant())
        {
            case "inf" or "infinity":
                value = negative ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            case "nan":
                value = double.NaN;
                return true;
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(unsigned, @"\A(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?\z"))
        {
            return false;
        }

        value = double.Parse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>
    /// <c>repr(float)</c> (CPython float_repr: the shortest digits that round-trip, <c>'r'</c> format):
    /// positional between 1e-4 and 1e16, else scientific with at least two exponent digits.
    /// </summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // .NET's "E16" is not shortest; "R" is (since .NET Core 3.0), in either form: read its digits.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        var body = negative ? shortest[1..] : shortest;
        var exponentAt = body.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt < 0 ? body : body[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(body[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = (dot < 0 ? mantissa : mantissa.Remove(dot, 1)).TrimStart('0');
        var leadingZeros = (dot < 0 ? mantissa : mantissa.Remove(dot, 1)).Length - digits.Length;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        // decimalPoint: the position of the decimal point relative to the first significant digit.
        var integerDigits = dot < 0 ? mantissa.Length : dot;
        var decimalPoint = integerDigits - leadingZeros + exponent;
        var sign = negative ? "-" : "";
        if (decimalPoint - 1 < -4 || decimalPoint - 1 >= 16)
        {
            var e = decimalPoint - 1;
            var fraction = digits.Length > 1 ? "." + digits[1..] : "";
            return string.Create(CultureInfo.InvariantCulture, $"{sign}{digits[0]}{fraction}e{(e < 0 ? "-" : "+")}{Math.Abs(e):00}");
        }

        if (decimalPoint <= 0)
        {
            return sign + "0." + new string('0', -decimalPoint) + digits;
        }

        if (decimalPoint >= digits.Length)
        {
            return sign + digits + new string('0', decimalPoint - digits.Length) + ".0";
        }

        return sign + digits[..decimalPoint] + "." + digits[decimalPoint..];
    }

    /// <summary><c>str(value)</c>.</summary>
    public static string Str(object? value) => value switch
    {
        string text => text,
        _ => Repr(value),
    };

    /// <summary><c>repr(value)</c>.</summary>
    public static string Repr(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        BigInteger i => i.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        string s => PyStr.Repr(s),
        PyDict dict => "{" + string.Join(", ", dict.Select(p => $"{PyStr.Repr(p.Key)}: {Repr(p.Value)}")) + "}",
        IEnumerable<object?> list => "[" + string.Join(", ", list.Select(Repr)) + "]",
        _ => throw new ArgumentException($"Not a Python value: {value.GetType()}", nameof(value)),
    };

    /// <summary>Python truthiness.</summary>
    public static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        BigInteger i => !i.IsZero,
        double d => d != 0,
        string s => s.Length > 0,
        PyDict dict => dict.Count > 0,
        System.Collections.ICollection c => c.Count > 0,
        _ => true,
    };

    /// <summary>A deep copy (<c>copy.deepcopy</c>).</summary>
    public static object? DeepCopy(object? value) => value switch
    {
        PyDict dict => dict.Copy(),
        List<object?> list => list.Select(DeepCopy).ToList(),
        _ => value,
    };
}

/// <summary>A Python <c>dict</c> with string keys: insertion order kept, as in Python 3.7+.</summary>
internal sealed class PyDict : IEnumerable<KeyValuePair<string, object?>>
{
    private readonly OrderedDictionary<string, object?> items = new(StringComparer.Ordinal);

    public int Count => items.Count;

    public IEnumerable<string> Keys => items.Keys;

    public object? this[string key]
    {
        get => items[key];
        set => items[key] = value;
    }

    public bool ContainsKey(string key) => items.ContainsKey(key);

    public bool TryGetValue(string key, out object? value) => items.TryGetValue(key, out value);

    public bool Remove(string key) => items.Remove(key);

    public PyDict Copy()
    {
        var copy = new PyDict();
        foreach (var (key, value) in items)
        {
            copy[key] = PyValue.DeepCopy(value);
        }

        return copy;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
