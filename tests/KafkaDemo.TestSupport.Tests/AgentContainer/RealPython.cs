namespace KafkaDemo.TestSupport.Tests.AgentContainer;

/// <summary>
/// Debian's /usr/bin/python3 with its python3-yaml (PyYAML 6.0) and python3-rich (Rich 13.3.1), run
/// with a clean environment (no FORCE_COLOR, NO_COLOR, COLUMNS or TTY_COMPATIBLE leaking in). With
/// <see cref="RichPathVariable"/> set to a checkout of Rich 14.1.0 (the version vibectl 0.11.6 pins),
/// that Rich is used instead.
/// </summary>
internal static class RealPython
{
    public const string RichPathVariable = "KAFKADEMO_RICH_PYTHONPATH";

    /// <summary>Runs <paramref name="script"/> with <paramref name="input"/> on stdin; its stdout.</summary>
    public static async Task<string> RunAsync(string python, string script, string input)
    {
        var path = Environment.GetEnvironmentVariable(RichPathVariable);
        var (exitCode, output, error) = await ExternalTool.RunAsync("/usr/bin/env",
            ["-i", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "PYTHONIOENCODING=utf-8", .. path is { Length: > 0 } ? new[] { $"PYTHONPATH={path}" } : [], python, "-c", script],
            input, TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, $"{python} failed ({exitCode}): {error}");
        return output;
    }

    /// <summary>The Rich version the scripts import: 14.1.0 for a checkout named by <see cref="RichPathVariable"/>, else the installed one.</summary>
    public static async Task<string> RichVersionAsync(string python) =>
        Environment.GetEnvironmentVariable(RichPathVariable) is { Length: > 0 }
            ? "14.1.0"
            : (await RunAsync(python, "import importlib.metadata; print(importlib.metadata.version('rich'))", "")).Trim();
}
