using System.Text;

namespace KafkaDemo.TestSupport;

/// <summary>
/// Strings as Go programs print them, for stand-ins of Go programs (the Kubernetes API server's
/// messages, k3d's logrus lines): Go's strconv.Quote, which fmt's %q uses.
/// </summary>
public static class GoString
{
    /// <summary>A string as Go's %q (strconv.Quote) prints it (printable ASCII kept, quotes, backslashes and control characters escaped).</summary>
    public static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                < ' ' or '\x7f' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}
