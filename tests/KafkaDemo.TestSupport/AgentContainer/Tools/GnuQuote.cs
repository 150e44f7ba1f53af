namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// How coreutils quotes a name in its messages (gnulib quotearg.c, locale_quoting_style through
/// quote()): curly quotes ‘name’ when the locale's character set is UTF-8, else 'name'. In the agent
/// image LANG is C.UTF-8 (the python base image sets it) and Debian's libc has that locale built in;
/// another locale name is not installed in a slim image, so setlocale falls back to C.
/// </summary>
internal static class GnuQuote
{
    public static string Quote(IReadOnlyDictionary<string, string> environment, string text) =>
        IsUtf8(environment) ? $"\u2018{text}\u2019" : $"'{text}'";

    /// <summary>setlocale(LC_ALL, ""): LC_ALL, else LC_CTYPE, else LANG; only C.UTF-8 (or C.utf8) is UTF-8 here.</summary>
    private static readonly string[] LocaleVariables = ["LC_ALL", "LC_CTYPE", "LANG"];

    public static bool IsUtf8(IReadOnlyDictionary<string, string> environment)
    {
        var locale = LocaleVariables
            .Select(name => environment.GetValueOrDefault(name))
            .FirstOrDefault(value => !string.IsNullOrEmpty(value));
        return locale is "C.UTF-8" or "C.utf8";
    }

    /// <summary>strerror for the errno values the tools report.</summary>
    public static string Describe(int errno) => errno switch
    {
        2 => "No such file or directory",
        13 => "Permission denied",
        20 => "Not a directory",
        21 => "Is a directory",
        30 => "Read-only file system",
        _ => $"errno {errno}",
    };
}
