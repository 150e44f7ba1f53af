using System.Globalization;
using KafkaDemo.DeploymentContract.Agent;

namespace KafkaDemo.Overseer.Agent;

/// <summary>
/// The command lines the Overseer runs in the agent's pod, each an argument array (pod exec runs
/// it without a shell). Every vibectl command runs under <c>env COLUMNS=...</c>, and every one that
/// changes vibectl's state under <c>flock</c>.
/// </summary>
public static class AgentCommands
{
    /// <summary>
    /// The console width vibectl prints at. Rich wraps every line at 80 columns when there is no
    /// terminal, unless COLUMNS says otherwise (rich 14.1.0 console.py Console.size; vibectl-0.11.6.md
    /// §0), which would split one line vibectl prints into several. Panels are sized to their text
    /// (console.py print_vibe: <c>expand=False</c>), so a wide console costs nothing; a line longer
    /// than this is far beyond what the page keeps (<see cref="AgentActivity.MaxLineChars"/>).
    /// </summary>
    public const int Columns = 10_000;

    /// <summary>
    /// The lock every state-changing command holds in the pod, so that two never run at once, even
    /// when the Overseer lost its connection to a round whose vibectl still runs, or a second
    /// Overseer runs. On the pod's own file system: it goes with the pod, as vibectl's state does.
    /// </summary>
    public const string LockFile = "/tmp/kafkademo-agent-round.lock";

    /// <summary>
    /// flock's exit code when the lock is held (<c>-E</c>): EX_TEMPFAIL, none of vibectl's (0, 1),
    /// coreutils timeout's (124-127, 137) or a signal's (128+n).
    /// </summary>
    public const int LockBusyExitCode = 75;

    /// <summary>coreutils timeout's exit codes when it stopped the command (137: killed after the grace period).</summary>
    public static readonly IReadOnlyList<int> TimeoutExitCodes = [124, 137];

    /// <summary>Seconds coreutils timeout waits after SIGTERM before SIGKILL.</summary>
    public const int KillAfterSeconds = 10;

    /// <summary><c>env COLUMNS=10000 vibectl ARGS...</c></summary>
    public static IReadOnlyList<string> Vibectl(params string[] args) =>
        ["env", string.Create(CultureInfo.InvariantCulture, $"COLUMNS={Columns}"), "vibectl", .. args];

    /// <summary>
    /// <paramref name="command"/> holding <see cref="LockFile"/>, or exiting <see cref="LockBusyExitCode"/>
    /// at once when someone else holds it: util-linux flock (in the agent image's Debian base) with
    /// <c>-n</c> (fail rather than wait) and <c>-E</c> (that exit code).
    /// </summary>
    public static IReadOnlyList<string> Locked(IReadOnlyList<string> command) =>
        ["flock", "-n", "-E", LockBusyExitCode.ToString(CultureInfo.InvariantCulture), LockFile, .. command];

    /// <summary>A round: <c>vibectl auto --limit N</c>, stopped inside the pod after <paramref name="timeoutSeconds"/>, under the lock.</summary>
    public static IReadOnlyList<string> Auto(int limit, int timeoutSeconds) =>
        Locked([
            "timeout", string.Create(CultureInfo.InvariantCulture, $"--kill-after={KillAfterSeconds}"), timeoutSeconds.ToString(CultureInfo.InvariantCulture),
            .. Vibectl("auto", "--limit", limit.ToString(CultureInfo.InvariantCulture)),
        ]);

    /// <summary>
    /// <c>vibectl memory set -- TEXT</c> (to run under <see cref="Locked"/>): one argument, so no word
    /// of it is lost or taken for an option (Click consumes the one <c>--</c>; cli.py memory_set joins its words).
    /// </summary>
    public static IReadOnlyList<string> SetMemory(string text) => Vibectl("memory", "set", "--", text);

    /// <summary>vibectl's settings and memory, exactly as stored.</summary>
    public static IReadOnlyList<string> ReadConfig { get; } = ["cat", AgentDeployment.ConfigFile];

    /// <summary>The models llm knows in the pod (llm 0.26 cli.py models_list).</summary>
    public static IReadOnlyList<string> ListModels { get; } = ["llm", "models", "list"];
}
