using System.Globalization;
using System.Text;

namespace KafkaDemo.Overseer.BrokerMetrics;

/// <summary>One sample: a metric name, its labels, its value and, when given, its timestamp (ms since the epoch).</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, long? TimestampMs = null)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What a <c># HELP</c> and a <c># TYPE</c> line said of a metric family.</summary>
public sealed record PrometheusFamily(string Name, string? Type, string? Help);

/// <summary>A parsed <c>/metrics</c> answer: its samples in order and the families its comments describe.</summary>
public sealed record PrometheusScrape(IReadOnlyList<PrometheusSample> Samples, IReadOnlyDictionary<string, PrometheusFamily> Families)
{
    /// <summary>The samples of the metric <paramref name="name"/>.</summary>
    public IEnumerable<PrometheusSample> Named(string name) => Samples.Where(s => s.Name == name);
}

/// <summary>A line that is not in the Prometheus text format.</summary>
public sealed class PrometheusFormatException(int line, string message)
    : FormatException(string.Create(CultureInfo.InvariantCulture, $"line {line}: {message}"))
{
    /// <summary>The 1-based line number.</summary>
    public int Line { get; } = line;
}

/// <summary>
/// Reads the Prometheus text exposition format, version 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats):
/// what the JMX exporter in Strimzi's Kafka image (jmx_prometheus_javaagent 1.6.0, on
/// prometheus-metrics 1.7.0) answers a request that does not ask for OpenMetrics or protobuf
/// (client_java ExpositionFormats.findWriter falls back to PrometheusTextFormatWriter).
/// </summary>
/// <remarks>
/// <para>As that writer writes it (client_java 1.7.0 PrometheusTextFormatWriter, TextFormatUtil):
/// <c># HELP name text</c> with <c>\\</c> and <c>\n</c> escaped (writeEscapedHelp), <c># TYPE name type</c>,
/// then <c>name{label="value",...} value</c>: label values with <c>\\</c>, <c>\"</c> and <c>\n</c>
/// escaped (writeEscapedString), values as Java's <c>Double.toString</c> (<c>0.0</c>, <c>1.2E7</c>)
/// or <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c> (writeDouble), an optional timestamp in milliseconds,
/// and a name that is not a legacy name quoted inside the braces (<c>{"a.b",x="1"}</c>, writeNameAndLabels).</para>
/// <para>Also read, as Prometheus reads them: tabs and spaces between tokens, a trailing comma in
/// the labels, comments, blank lines, CRLF line ends, <c>Inf</c>/<c>Infinity</c>/<c>NaN</c> in any
/// case, and OpenMetrics' <c># UNIT</c> and <c># EOF</c>. Anything else is refused with its line
/// number, as Prometheus fails a scrape on a malformed line.</para>
/// </remarks>
public static class PrometheusText
{
    private static readonly HashSet<string> Types = new(StringComparer.Ordinal)
    {
        "counter", "gauge", "histogram", "summary", "untyped",
        "unknown", "info", "stateset", "gaugehistogram", // OpenMetrics
    };

    public static PrometheusScrape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new List<PrometheusSample>();
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.EndsWith('\r') ? raw[..^1] : raw;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var reader = new LineReader(line, number);
            reader.SkipBlanks();
            if (reader.Peek == '#')
            {
                if (!Comment(ref reader, help, types))
                {
                    break; // # EOF
                }

                continue;
            }

            samples.Add(Sample(ref reader));
        }

        var families = help.Keys.Union(types.Keys).ToDictionary(
            name => name,
            name => new PrometheusFamily(name, types.GetValueOrDefault(name), help.GetValueOrDefault(name)),
            StringComparer.Ordinal);
        return new PrometheusScrape(samples, families);
    }

    /// <summary>A comment line; false at OpenMetrics' <c># EOF</c>.</summary>
    private static bool Comment(ref LineReader reader, Dictionary<string, string> help, Dictionary<string, string> types)
    {
        reader.Expect('#');
        reader.SkipBlanks();
        var keyword = reader.Word();
        switch (keyword)
        {
            case "HELP":
            {
                reader.RequireBlanks("after HELP");
                var name = reader.MetricName();
                var docstring = reader.AtEnd ? "" : Unescape(reader.RestAfterOneBlank());
                if (!help.TryAdd(name, docstring))
                {
                    throw reader.Error($"a second HELP line for {name}");
                }

                return true;
            }

            case "TYPE":
            {
                reader.RequireBlanks("after TYPE");
                var name = reader.MetricName();
                reader.RequireBlanks("after the metric name");
                var type = reader.Word();
                reader.SkipBlanks();
                if (!reader.AtEnd || !Types.Contains(type))
                {
                    throw reader.Error($"'{type}' is not a metric type");
                }

                if (!types.TryAdd(name, type))
                {
                    throw reader.Error($"a second TYPE line for {name}");
                }

                return true;
            }

            case "EOF":
                return false;
            default:
                return true; // a comment, or OpenMetrics' # UNIT
        }
    }

    private static PrometheusSample Sample(ref LineReader reader)
    {
        string? name = null;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var blank = false;
        if (reader.Peek != '{')
        {
            name = reader.MetricName();
            blank = reader.SkipBlanks();
        }

        if (reader.Peek == '{')
        {
            reader.Expect('{');
            reader.SkipBlanks();
            while (reader.Peek != '}')
            {
                var quoted = reader.Peek == '"';
                var key = quoted ? reader.Quoted() : reader.LabelName();
                reader.SkipBlanks();
                if (quoted && name is null && reader.Peek is ',' or '}')
                {
                    name = key; // {"name.with.dots",label="x"}: the name inside the braces
                }
                else
                {
                    reader.Expect('=');
                    reader.SkipBlanks();
                    if (!labels.TryAdd(key, reader.Quoted()))
                    {
                        throw reader.Error($"the label {key} twice");
                    }

                    reader.SkipBlanks();
                }

                if (reader.Peek == ',')
                {
                    reader.Expect(',');
                    reader.SkipBlanks();
                }
                else if (reader.Peek != '}')
                {
                    throw reader.Error("expected ',' or '}' after a label");
                }
            }

            reader.Expect('}');
            blank = reader.SkipBlanks();
        }

        if (name is null)
        {
            throw reader.Error("a sample without a metric name");
        }

        if (!blank || reader.AtEnd)
        {
            throw reader.Error("expected a space before the value");
        }

        var value = Value(reader.Word(), ref reader);
        long? timestamp = null;
        reader.SkipBlanks();
        if (!reader.AtEnd)
        {
            var stamp = reader.Word();
            timestamp = long.TryParse(stamp, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms)
                ? ms
                : throw reader.Error($"'{stamp}' is not a timestamp in milliseconds");
            reader.SkipBlanks();
            if (!reader.AtEnd)
            {
                throw reader.Error("text after the timestamp");
            }
        }

        return new PrometheusSample(name, labels, value, timestamp);
    }

    /// <summary>A value as Go's strconv.ParseFloat reads it, which is what Prometheus uses: a decimal, or (signed) Inf, Infinity, or NaN in any case.</summary>
    private static double Value(string word, ref LineReader reader)
    {
        var signed = word.Length > 0 && word[0] is '+' or '-';
        var unsigned = signed ? word[1..] : word;
        if (unsigned.Equals("Inf", StringComparison.OrdinalIgnoreCase) || unsigned.Equals("Infinity", StringComparison.OrdinalIgnoreCase))
        {
            return word[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
        }

        if (!signed && unsigned.Equals("NaN", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }

        return double.TryParse(word, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw reader.Error($"'{word}' is not a number");
    }

    /// <summary>A HELP text: <c>\\</c> and <c>\n</c> are escapes; any other backslash is itself.</summary>
    private static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '\\' or 'n')
            {
                result.Append(text[++i] == 'n' ? '\n' : '\\');
            }
            else
            {
                result.Append(text[i]);
            }
        }

        return result.ToString();
    }

    /// <summary>A cursor over one line.</summary>
    private ref struct LineReader(string line, int number)
    {
        private readonly string _line = line;
        private int _at;

        public readonly bool AtEnd => _at >= _line.Length;

        public readonly char Peek => AtEnd ? '\0' : _line[_at];

        public readonly PrometheusFormatException Error(string message) => new(number, message);

        /// <summary>Skips spaces and tabs; whether there were any.</summary>
        public bool SkipBlanks()
        {
            var start = _at;
            while (!AtEnd && _line[_at] is ' ' or '\t')
            {
                _at++;
            }

            return _at > start;
        }

        public void RequireBlanks(string where)
        {
            if (AtEnd || _line[_at] is not (' ' or '\t'))
            {
                throw Error($"expected a space {where}");
            }

            SkipBlanks();
        }

        public void Expect(char c)
        {
            if (Peek != c)
            {
                throw Error(AtEnd ? $"expected '{c}' at the end of the line" : $"expected '{c}' at column {_at + 1}, found '{Peek}'");
            }

            _at++;
        }

        /// <summary>Up to the next blank.</summary>
        public string Word()
        {
            var start = _at;
            while (!AtEnd && _line[_at] is not (' ' or '\t'))
            {
                _at++;
            }

            return _line[start.._at];
        }

        /// <summary>The rest of the line after one separating blank (a HELP text keeps its own spaces).</summary>
        public string RestAfterOneBlank()
        {
            if (!AtEnd && _line[_at] is ' ' or '\t')
            {
                _at++;
            }

            var rest = _line[_at..];
            _at = _line.Length;
            return rest;
        }

        /// <summary>A metric name: <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>, or a quoted one.</summary>
        public string MetricName()
        {
            if (Peek == '"')
            {
                return Quoted();
            }

            var start = _at;
            while (!AtEnd && (char.IsAsciiLetter(_line[_at]) || _line[_at] is '_' or ':' || (_at > start && char.IsAsciiDigit(_line[_at]))))
            {
                _at++;
            }

            return _at > start ? _line[start.._at] : throw Error("expected a metric name");
        }

        /// <summary>A label name: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
        public string LabelName()
        {
            var start = _at;
            while (!AtEnd && (char.IsAsciiLetter(_line[_at]) || _line[_at] == '_' || (_at > start && char.IsAsciiDigit(_line[_at]))))
            {
                _at++;
            }

            return _at > start ? _line[start.._at] : throw Error("expected a label name");
        }

        /// <summary>A double-quoted string with <c>\\</c>, <c>\"</c> and <c>\n</c> escapes (any other escape is refused).</summary>
        public string Quoted()
        {
            Expect('"');
            var value = new StringBuilder();
            while (true)
            {
                if (AtEnd)
                {
                    throw Error("a quoted string not closed");
                }

                var c = _line[_at++];
                if (c == '"')
                {
                    return value.ToString();
                }

                if (c != '\\')
                {
                    value.Append(c);
                    continue;
                }

                var escaped = AtEnd ? '\0' : _line[_at++];
                value.Append(escaped switch
                {
                    '\\' => '\\',
                    '"' => '"',
                    'n' => '\n',
                    _ => throw Error($"an invalid escape '\\{escaped}' in a quoted string"),
                });
            }
        }
    }
}
