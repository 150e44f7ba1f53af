using System.Globalization;
using KafkaDemo.Overseer.KubernetesApi;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Agent;

/// <summary>
/// Sets vibectl up in an agent pod and reads its state back. vibectl's exit codes do not say when
/// it failed (vibectl 0.11.6 cli.py config_set: errors go to utils.py handle_exception, which prints
/// <c>Error: ...</c> on stderr and does not exit), so every change is checked by reading the file
/// vibectl keeps its settings and memory in. Every command that changes vibectl's state holds the
/// pod's lock (<see cref="AgentCommands.Locked"/>).
/// </summary>
public sealed partial class VibectlSetup(IAgentChannel channel, IOptions<AgentOptions> options, IOptions<ClusterOptions> cluster, ILogger<VibectlSetup> logger)
{
    /// <summary>How long one set-up command may take: they are quick, but the pod may be busy starting.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly AgentOptions _options = options.Value;

    /// <summary>The goal, for the Kafka the Overseer watches (Overseer:Cluster:Namespace and KafkaName).</summary>
    private readonly string _instructions = AgentInstructions.For(cluster.Value.Namespace, cluster.Value.KafkaName);

    /// <summary>
    /// Checks the model against what llm knows in the pod, sets vibectl's memory bound, model, display
    /// and goal, and reads them all back.
    /// </summary>
    /// <exception cref="AgentSetupException">The model is unknown, or vibectl refused or lost a setting.</exception>
    /// <exception cref="AgentBusyException">A round still runs in the pod.</exception>
    public async Task ConfigureAsync(AgentPod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        await CheckModelAsync(pod, cancellationToken);
        var said = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Settings())
        {
            var result = await RunLockedAsync(pod, AgentCommands.Vibectl("config", "set", key, value), cancellationToken);
            if (result.ErrorLine is { } error || result.ExitCode != 0)
            {
                throw new AgentSetupException($"vibectl config set {key} {value} failed in pod {pod.Name}: {result.ErrorLine ?? $"exit code {result.ExitCode}, {result.FirstLine}"}");
            }

            said[key] = result.FirstLine;
        }

        // One argument (cli.py instructions_set takes exactly one; vibectl-0.11.6.md §10), after "--"
        // so that a goal starting with "-" is not taken for an option.
        var instructions = await RunLockedAsync(pod, AgentCommands.Vibectl("instructions", "set", "--", _instructions), cancellationToken);
        if (instructions.ErrorLine is not null || instructions.ExitCode != 0)
        {
            throw new AgentSetupException($"vibectl instructions set failed in pod {pod.Name}: {instructions.ErrorLine ?? $"exit code {instructions.ExitCode}, {instructions.FirstLine}"}");
        }

        said[InstructionsKey] = instructions.FirstLine;
        var file = await ReadConfigAsync(pod, cancellationToken);
        foreach (var (key, value) in Settings().Append((InstructionsKey, _instructions)))
        {
            if (file.Mismatch(key, value) is { } mismatch)
            {
                throw new AgentSetupException($"vibectl did not keep {key} in pod {pod.Name}: {mismatch}. vibectl said: {said[key]}");
            }
        }

        LogConfigured(logger, pod.Name, _options.Model);
    }

    /// <summary>vibectl's settings and memory in the pod, exactly as stored.</summary>
    public async Task<VibectlConfigFile> ReadConfigAsync(AgentPod pod, CancellationToken cancellationToken)
    {
        var result = await channel.RunAsync(pod, AgentCommands.ReadConfig, null, CommandTimeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new AgentSetupException($"Reading vibectl's config file in pod {pod.Name} failed (exit code {result.ExitCode}): {result.FirstLine}");
        }

        try
        {
            return VibectlConfigFile.Parse(result.Output);
        }
        catch (FormatException ex)
        {
            throw new AgentSetupException($"vibectl's config file in pod {pod.Name} could not be read: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Writes vibectl's memory and reads it back: it must be what was written, cut as vibectl cuts
    /// it at memory.max_chars (memory.py set_memory, by code points).
    /// </summary>
    public async Task WriteMemoryAsync(AgentPod pod, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = await RunLockedAsync(pod, AgentCommands.SetMemory(text), cancellationToken);
        if (result.ExitCode != 0 || result.ErrorLine is not null)
        {
            throw new AgentSetupException($"vibectl memory set failed in pod {pod.Name}: {result.ErrorLine ?? $"exit code {result.ExitCode}, {result.FirstLine}"}");
        }

        var back = (await ReadConfigAsync(pod, cancellationToken)).Memory;
        var expected = AgentMemory.Cut(text, _options.MemoryMaxChars);
        if (back != expected)
        {
            var from = Enumerable.Range(0, Math.Min(back.Length, expected.Length)).FirstOrDefault(i => back[i] != expected[i], Math.Min(back.Length, expected.Length));
            throw new AgentSetupException(string.Create(CultureInfo.InvariantCulture,
                $"vibectl's memory in pod {pod.Name} reads back differently from what the Overseer wrote: {back.Length} characters read, {expected.Length} expected, differing from character {from}. vibectl said: {result.FirstLine}"));
        }
    }

    private const string InstructionsKey = "system.custom_instructions";

    private IEnumerable<(string Key, string Value)> Settings() =>
    [
        ("memory.max_chars", _options.MemoryMaxChars.ToString(CultureInfo.InvariantCulture)),
        ("llm.model", _options.Model),
        ("display.show_streaming", "false"), // the summary as plain lines after "✨ Vibe", not a panel
        ("display.show_kubectl", "true"), // the "🔄 Running: kubectl ..." lines
    ];

    /// <summary>
    /// Refuses a model llm does not know in this pod, listing the names it knows: vibectl would only
    /// say so in an <c>Error:</c> line of <c>config set</c> and exit 0 (config.py _validate_hierarchical_value,
    /// llm_interface.py is_valid_llm_model_name), and every round would then fail.
    /// </summary>
    private async Task CheckModelAsync(AgentPod pod, CancellationToken cancellationToken)
    {
        var result = await channel.RunAsync(pod, AgentCommands.ListModels, null, CommandTimeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new AgentSetupException($"'llm models list' failed in pod {pod.Name} (exit code {result.ExitCode}): {result.FirstLine}");
        }

        var models = LlmModelList.Parse(result.Output);
        if (!models.Knows(_options.Model))
        {
            throw new AgentSetupException(
                $"The model '{_options.Model}' is not one llm knows in pod {pod.Name} ('llm models list'). "
                + $"Set the AppHost's llm-model parameter (Overseer:Agent:Model) to one of these model ids or aliases: {string.Join(", ", models.Names)}.");
        }
    }

    private async Task<AgentCommandResult> RunLockedAsync(AgentPod pod, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var result = await channel.RunAsync(pod, AgentCommands.Locked(command), null, CommandTimeout, cancellationToken);
        return result.ExitCode == AgentCommands.LockBusyExitCode
            ? throw new AgentBusyException(pod)
            : result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "vibectl in pod {Pod} set up and read back: model {Model}, memory.max_chars, display, the goal (k3d/agent/instructions.md)")]
    private static partial void LogConfigured(ILogger logger, string pod, string model);
}

/// <summary>vibectl could not be set up, or its state read or written: it said an error, or read back otherwise.</summary>
public sealed class AgentSetupException : Exception
{
    public AgentSetupException()
    {
    }

    public AgentSetupException(string message)
        : base(message)
    {
    }

    public AgentSetupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Another command holds the pod's lock: a round still runs there (perhaps one the Overseer lost its connection to).</summary>
public sealed class AgentBusyException : Exception
{
    public AgentBusyException()
    {
    }

    public AgentBusyException(string message)
        : base(message)
    {
    }

    public AgentBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AgentBusyException(AgentPod pod)
        : base($"Another agent round still runs in pod {pod?.Name} (it holds {AgentCommands.LockFile}); two rounds never run at once.")
    {
    }
}
