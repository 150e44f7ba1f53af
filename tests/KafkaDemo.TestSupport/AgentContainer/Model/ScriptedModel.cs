using System.Collections.Concurrent;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// The language model behind llm, as a test double: for each call vibectl makes (plan, summary,
/// recovery suggestion, memory rewrite) a script decides the answer. Everything around it (llm's
/// key lookup, the provider APIs, vibectl's handling of answers and errors) is emulated from the
/// upstream source; only these answers are invented. The defaults play <see cref="DemoAgent"/>.
/// </summary>
public sealed class ScriptedModel
{
    private readonly ConcurrentQueue<ModelCall> calls = new();

    /// <summary>The planner's answer (vibectl execution/vibe.py _get_llm_plan): normally a JSON plan.</summary>
    public Func<PlanningCall, ModelAnswer> Planner { get; set; } = DemoAgent.Plan;

    /// <summary>The summary of a kubectl command's output (command_handler.py _process_vibe_output).</summary>
    public Func<SummaryCall, ModelAnswer> Summary { get; set; } = DemoAgent.Summarize;

    /// <summary>Recovery suggestions after a kubectl command failed (command_handler.py _vibe_recovery_result).</summary>
    public Func<RecoveryCall, ModelAnswer> Recovery { get; set; } = DemoAgent.Recover;

    /// <summary>The rewritten memory (memory.py update_memory): the whole new memory text.</summary>
    public Func<MemoryUpdateCall, ModelAnswer> MemoryUpdate { get; set; } = DemoAgent.UpdateMemory;

    /// <summary>Every call that reached the model (its key and model accepted by the provider), in order.</summary>
    public IReadOnlyList<ModelCall> Calls => [.. calls];

    internal ModelAnswer Answer(ModelCall call)
    {
        calls.Enqueue(call);
        return call switch
        {
            PlanningCall planning => Planner(planning),
            SummaryCall summary => Summary(summary),
            RecoveryCall recovery => Recovery(recovery),
            MemoryUpdateCall update => MemoryUpdate(update),
            _ => throw new ArgumentException($"Unknown call {call.GetType().Name}", nameof(call)),
        };
    }
}

/// <summary>What vibectl asked the model, with what it knew.</summary>
public abstract record ModelCall
{
    /// <summary>The pod whose vibectl made the call.</summary>
    public required string Pod { get; init; }

    /// <summary>llm's model id the call went to (<c>anthropic/claude-sonnet-4-6</c>).</summary>
    public required string ModelId { get; init; }

    /// <summary>vibectl's memory when the call was made (the prompt's "Memory Context").</summary>
    public required string Memory { get; init; }

    /// <summary>memory.max_chars (the prompt says "Limit your response to {max_chars} characters").</summary>
    public required int MaxChars { get; init; }

    /// <summary>system.custom_instructions (the goal the Overseer sets).</summary>
    public string? CustomInstructions { get; init; }

    /// <summary>The kubectl commands this vibectl process ran so far, with their results.</summary>
    public required IReadOnlyList<AgentStep> Steps { get; init; }
}

/// <summary>vibe.py handle_vibe_request: plan the next action (the request is empty in <c>auto</c>).</summary>
public sealed record PlanningCall : ModelCall
{
    public required string Request { get; init; }
}

/// <summary>Summarize a successful command's output.</summary>
public sealed record SummaryCall : ModelCall
{
    /// <summary>The kubectl verb.</summary>
    public required string Command { get; init; }

    public required string Output { get; init; }
}

/// <summary>Suggest a recovery after a failed command.</summary>
public sealed record RecoveryCall : ModelCall
{
    public required string FailedCommand { get; init; }

    public required string Error { get; init; }
}

/// <summary>Rewrite the memory after an interaction (memory.py update_memory's prompt, prompts/memory.py).</summary>
public sealed record MemoryUpdateCall : ModelCall
{
    /// <summary>"Action:" of the interaction (such as <c>command: kubectl patch ... original: vibe</c>).</summary>
    public required string CommandMessage { get; init; }

    /// <summary>"Output:".</summary>
    public required string CommandOutput { get; init; }

    /// <summary>"Vibe:".</summary>
    public required string VibeOutput { get; init; }
}

/// <summary>A kubectl command vibectl ran, and how it ended.</summary>
/// <param name="Arguments">kubectl's arguments, verb first.</param>
/// <param name="ExitCode">kubectl's exit code.</param>
/// <param name="Output">Its stdout, stripped (k8s_utils.py run_kubectl).</param>
/// <param name="Error">Its stderr, stripped.</param>
public sealed record AgentStep(IReadOnlyList<string> Arguments, int ExitCode, string Output, string Error);
