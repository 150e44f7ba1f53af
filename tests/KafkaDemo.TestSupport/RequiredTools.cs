namespace KafkaDemo.TestSupport;

/// <summary>
/// Tools from the machine that some tests need: the kubectl client (the agent stand-in runs the real
/// kubectl), and Debian's python3 with PyYAML and Rich, and dash (the stand-in's fidelity checks
/// against the real libraries and shell). A test that needs one that is absent skips with the reason; in CI
/// (<see cref="RequireVariable"/>=1) it fails instead, as SharedReference does for the shared folder.
/// </summary>
public static class RequiredTools
{
    public const string RequireVariable = "KAFKADEMO_REQUIRE_TOOLS";

    /// <summary>The Python whose system packages (python3-yaml, python3-rich) the fidelity checks use.</summary>
    public const string SystemPython = "/usr/bin/python3";

    /// <summary>The kubectl client (v1.32 expected), or a skip (a failure in CI).</summary>
    public static string Kubectl() =>
        ExternalTool.Find("kubectl") ?? Missing("kubectl is not installed (a v1.32 client is expected on PATH; apt-get install kubectl).");

    /// <summary>Debian's /bin/sh, dash (the agent image's base is Debian bookworm), or a skip (a failure in CI).</summary>
    public static string Dash() =>
        File.Exists("/usr/bin/dash") ? "/usr/bin/dash" : Missing("/usr/bin/dash is not installed (apt-get install dash).");

    /// <summary>
    /// /usr/bin/python3 when it can import every module, or a skip (a failure in CI) naming the Debian
    /// packages to install.
    /// </summary>
    public static async Task<string> PythonWithAsync(params string[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        if (!File.Exists(SystemPython))
        {
            return Missing($"{SystemPython} is not installed (apt-get install python3 {string.Join(' ', modules.Select(Package))}).");
        }

        var (exitCode, _, error) = await ExternalTool.RunAsync(SystemPython, ["-c", string.Join("; ", modules.Select(m => $"import {m}"))]);
        return exitCode == 0
            ? SystemPython
            : Missing($"{SystemPython} cannot import {string.Join(", ", modules)} (apt-get install {string.Join(' ', modules.Select(Package))}): {error.Trim()}");
    }

    private static string Package(string module) => module switch
    {
        "yaml" => "python3-yaml",
        "rich" => "python3-rich",
        _ => $"python3-{module}",
    };

    private static string Missing(string reason)
    {
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail($"{RequireVariable}=1 but: {reason}");
        }

        Assert.Skip(reason);
        return "";
    }
}
