using System.Globalization;
using System.Text.Json;
using KafkaDemo.DeploymentContract.Strimzi;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// The default script of <see cref="ScriptedModel"/>: what the demo expects an agent to do in one
/// <c>vibectl auto</c> session. It looks at the Kafka resource's broker config, changes one thread
/// pool within ½×–2× (num.io.threads doubled, or halved at 16 and above: a change Kafka applies
/// without restarting the brokers), records a note in memory, then says DONE. Memory rewrites keep
/// the previous memory and add one short note (vibectl then cuts it at memory.max_chars).
/// </summary>
public static class DemoAgent
{
    /// <summary>The setting the demo agent tunes.</summary>
    public const string Setting = "num.io.threads";

    /// <summary>Kafka's default num.io.threads, when the resource does not set it.</summary>
    public const int KafkaDefault = 8;

    public static IReadOnlyList<string> LookCommand { get; } =
        ["get", "kafka", StrimziNames.KafkaName, "-n", StrimziNames.Namespace, "-o", "jsonpath={.spec.kafka.config}"];

    public static ModelAnswer Plan(PlanningCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.Steps.Count == 0)
        {
            return ModelAnswer.Plan(PlannerAction.Command(LookCommand, "Read the brokers' config before changing anything."));
        }

        var last = call.Steps[^1];
        if (last.Arguments is ["get", ..])
        {
            if (last.ExitCode != 0 || Current(last.Output) is not { } current)
            {
                return ModelAnswer.Plan(PlannerAction.Done("Could not read the Kafka resource; nothing changed this round."));
            }

            var next = Next(current);
            return ModelAnswer.Plan(PlannerAction.Command(PatchCommand(next),
                string.Create(CultureInfo.InvariantCulture, $"{Setting} {current}→{next}: a thread pool changes within ½×–2× without restarting the brokers.")));
        }

        return ModelAnswer.Plan(PlannerAction.Done("One change this round; the Overseer measures its effect."));
    }

    public static ModelAnswer Summarize(SummaryCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return ModelAnswer.Text(call.Command switch
        {
            "get" when Current(call.Output) is { } current => string.Create(CultureInfo.InvariantCulture, $"The brokers run with {Setting}={current}."),
            "patch" => $"{Shorten(call.Output, 120)} The brokers apply the new thread pool size without a restart.",
            _ => $"kubectl {call.Command}: {Shorten(call.Output, 120)}",
        });
    }

    public static ModelAnswer Recover(RecoveryCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var first = call.Error.Split('\n').FirstOrDefault(l => l.Trim().Length > 0) ?? call.Error;
        return ModelAnswer.Text($"The command failed ({Shorten(first, 160)}). Check the resource's name and the agent's permissions.");
    }

    /// <summary>The previous memory and one short note about the interaction.</summary>
    public static ModelAnswer UpdateMemory(MemoryUpdateCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var note = call.CommandMessage switch
        {
            var m when m.StartsWith("command: kubectl ", StringComparison.Ordinal) && m.Contains(" original: ", StringComparison.Ordinal) =>
                "Ran " + Shorten(m["command: ".Length..m.LastIndexOf(" original: ", StringComparison.Ordinal)], 110),
            var m when m.StartsWith("command: ", StringComparison.Ordinal) => "Saw: " + Shorten(call.VibeOutput.Length > 0 ? call.VibeOutput : call.CommandOutput, 110),
            _ when call.CommandOutput.StartsWith("DONE: ", StringComparison.Ordinal) => "Done: " + Shorten(call.CommandOutput["DONE: ".Length..], 110),
            _ => "Noted: " + Shorten(call.CommandOutput, 110),
        };
        return ModelAnswer.Text(call.Memory.Length == 0 ? note : $"{call.Memory}\n{note}");
    }

    /// <summary>kubectl patch of the Kafka resource's num.io.threads (a merge patch, as the agent's instructions say).</summary>
    public static IReadOnlyList<string> PatchCommand(int threads) =>
        ["patch", "kafka", StrimziNames.KafkaName, "-n", StrimziNames.Namespace, "--type", "merge", "-p",
            "{\"spec\":{\"kafka\":{\"config\":{\"" + Setting + "\":" + threads.ToString(CultureInfo.InvariantCulture) + "}}}}"];

    /// <summary>Doubled, or halved from 16 up: within ½×–2×.</summary>
    public static int Next(int current) => current >= 16 ? current / 2 : current * 2;

    /// <summary>num.io.threads in the jsonpath output of the broker config (Kafka's default when absent); null when it is not that JSON.</summary>
    private static int? Current(string output)
    {
        try
        {
            using var config = JsonDocument.Parse(output);
            return config.RootElement.ValueKind == JsonValueKind.Object && config.RootElement.TryGetProperty(Setting, out var value)
                ? value.ValueKind == JsonValueKind.Number ? value.GetInt32() : int.Parse(value.GetString()!, CultureInfo.InvariantCulture)
                : config.RootElement.ValueKind == JsonValueKind.Object ? KafkaDefault : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Shorten(string text, int length)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= length ? line : line[..(length - 1)] + "…";
    }
}
