using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KafkaDemo.AppHost.Tools;

namespace KafkaDemo.AppHost.K3d;

/// <summary>
/// One line k3d wrote through its logger (logrus's TextFormatter, k3d v5.9.0 cmd/root.go
/// initLogging). With LOG_COLORS=false, as the AppHost runs it, logrus writes key=value pairs
/// (<c>time="..." level=info msg="Created network 'k3d-kafkademo'"</c>, the message quoted with Go's
/// %q when it needs quoting: text_formatter.go Format, appendValue). With colours it writes
/// <c>ESC[34mINFO ESC[0m[0000] message</c>, the message padded to 44 columns (printColored). Both are read.
/// </summary>
public sealed partial record K3dLogLine(string Level, string Message)
{
    /// <summary>Whether the level is error, fatal or panic: what k3d says went wrong.</summary>
    public bool IsError => Level is "ERRO" or "FATA" or "PANI";

    /// <summary>The line as the console shows it: the level in logrus's four letters, then the message.</summary>
    public override string ToString() => $"{Level} {Message}";

    /// <summary>The log line, or null when <paramref name="line"/> is other output (a kubeconfig, JSON, a hint k3d prints plainly).</summary>
    public static K3dLogLine? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var plain = TerminalText.StripEscapes(line).TrimEnd('\r');
        var match = KeyValue().Match(plain);
        if (match.Success)
        {
            var message = match.Groups["msg"].Success ? Unquote(match.Groups["msg"].Value) : "";
            var fields = match.Groups["rest"].Value.Trim();
            return new K3dLogLine(Short(match.Groups["level"].Value), fields.Length == 0 ? message : $"{message} {fields}".Trim());
        }

        match = Colored().Match(plain);
        return match.Success ? new K3dLogLine(match.Groups["level"].Value, match.Groups["msg"].Value.Trim()) : null;
    }

    /// <summary>A line for the console: a log line as <see cref="ToString"/>, anything else as written, without escape sequences.</summary>
    public static string Readable(string line) => Parse(line)?.ToString() ?? TerminalText.StripEscapes(line);

    // logrus Level.String(): panic, fatal, error, warning, info, debug, trace; printColored shows
    // the first four letters upper-cased.
    private static string Short(string level) =>
        level.Length >= 4 ? level[..4].ToUpperInvariant() : level.ToUpperInvariant();

    /// <summary>Go's strconv.Quote undone for the escapes it writes; a bare value is returned as it is.</summary>
    private static string Unquote(string value)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        for (var i = 1; i < value.Length - 1; i++)
        {
            if (value[i] != '\\' || i + 1 >= value.Length - 1)
            {
                text.Append(value[i]);
                continue;
            }

            var c = value[++i];
            var hex = c switch { 'x' => 2, 'u' => 4, 'U' => 8, _ => 0 };
            if (hex > 0 && i + hex < value.Length - 1
                && int.TryParse(value.AsSpan(i + 1, hex), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code)
                && code <= 0x10FFFF)
            {
                text.Append(char.ConvertFromUtf32(code is >= 0xD800 and <= 0xDFFF ? 0xFFFD : code));
                i += hex;
                continue;
            }

            text.Append(c switch { 'n' => '\n', 't' => '\t', 'r' => '\r', 'a' => '\a', 'b' => '\b', 'f' => '\f', 'v' => '\v', _ => c });
        }

        return text.ToString();
    }

    [GeneratedRegex("""^(?:time=(?:"[^"]*"|\S*) )?level=(?<level>[a-z]+)(?: msg=(?<msg>"(?:[^"\\]|\\.)*"|\S*))?(?<rest>.*)$""")]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"^(?<level>PANI|FATA|ERRO|WARN|INFO|DEBU|TRAC)(?:\[[^\]]*\])? ?(?<msg>.*)$")]
    private static partial Regex Colored();
}
