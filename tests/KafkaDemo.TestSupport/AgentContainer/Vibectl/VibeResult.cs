using System.Text.Json;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>vibectl/types.py Success and Error, the results its functions pass around.</summary>
internal abstract record VibeResult
{
    public int? OriginalExitCode { get; set; }
}

/// <summary>types.py Success.</summary>
internal sealed record VibeSuccess(string Message = "", string? Data = null, bool ContinueExecution = true) : VibeResult;

/// <summary>types.py Error: halting unless marked otherwise (halt_auto_loop defaults to True).</summary>
internal sealed record VibeError(string Error) : VibeResult
{
    public bool HaltAutoLoop { get; set; } = true;

    public string? RecoverySuggestions { get; set; }
}

/// <summary>types.py OutputFlags.from_args: each display flag from the command line, else the config.</summary>
internal sealed record OutputFlags(string ModelName, bool ShowRawOutput, bool ShowVibe, bool ShowKubectl, string ShowMetrics, bool ShowStreaming, bool WarnNoOutput);

/// <summary>A planner answer that LLMPlannerResponse accepted.</summary>
internal sealed record PlannerResponse(string ActionType, JsonElement Action)
{
    public string? Text(string field) =>
        Action.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public IReadOnlyList<string>? Commands =>
        Action.TryGetProperty("commands", out var value) && value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray().Select(v => v.GetString()!)] : null;

    public IReadOnlyList<int>? AllowedExitCodes =>
        Action.TryGetProperty("allowed_exit_codes", out var value) && value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray().Select(v => v.GetInt32())] : null;

    public int? Integer(string field) =>
        Action.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    /// <summary>
    /// LLMPlannerResponse.model_validate_json (vibectl/schema.py): JSON with an <c>action</c> that is
    /// one of the six actions (by <c>action_type</c>; stricter than pydantic's smart union, which may
    /// also accept an action without it), its required fields present and typed, and no other
    /// top-level field than <c>presentation_hints</c>. A COMMAND's <c>commands</c>, when given, must
    /// not be empty (CommandAction.check_commands_or_yaml_required runs before yaml_manifest is seen).
    /// </summary>
    /// <exception cref="PyError">ValidationError with a pydantic-like message.</exception>
    public static PlannerResponse Validate(string text)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw Invalid($"Invalid JSON: {e.Message} [type=json_invalid]");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("Input should be an object [type=model_type]");
        }

        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is not ("action" or "presentation_hints"))
            {
                throw Invalid($"{property.Name}\n  Extra inputs are not permitted [type=extra_forbidden]");
            }
        }

        if (root.TryGetProperty("presentation_hints", out var hints) && hints.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            throw Invalid("presentation_hints\n  Input should be a valid string [type=string_type]");
        }

        if (!root.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("action\n  Field required [type=missing]");
        }

        var type = action.TryGetProperty("action_type", out var typeValue) && typeValue.ValueKind == JsonValueKind.String ? typeValue.GetString() : null;
        (string Field, JsonValueKind[] Kinds, bool Required)[] fields = type switch
        {
            "THOUGHT" => [("text", [JsonValueKind.String], true)],
            "COMMAND" => [("commands", [JsonValueKind.Array, JsonValueKind.Null], false), ("yaml_manifest", [JsonValueKind.String, JsonValueKind.Null], false),
                ("allowed_exit_codes", [JsonValueKind.Array, JsonValueKind.Null], false), ("explanation", [JsonValueKind.String, JsonValueKind.Null], false)],
            "WAIT" => [("duration_seconds", [JsonValueKind.Number], true)],
            "ERROR" => [("message", [JsonValueKind.String], true)],
            "FEEDBACK" => [("message", [JsonValueKind.String], true), ("explanation", [JsonValueKind.String, JsonValueKind.Null], false),
                ("suggestion", [JsonValueKind.String, JsonValueKind.Null], false)],
            "DONE" => [("exit_code", [JsonValueKind.Number, JsonValueKind.Null], false), ("explanation", [JsonValueKind.String, JsonValueKind.Null], false)],
            _ => throw Invalid("action\n  Input does not match any of the actions (action_type THOUGHT, COMMAND, WAIT, ERROR, FEEDBACK, DONE) [type=union_tag_invalid]"),
        };
        foreach (var (field, kinds, required) in fields)
        {
            if (!action.TryGetProperty(field, out var value))
            {
                if (required)
                {
                    throw Invalid($"action.{type}Action.{field}\n  Field required [type=missing]");
                }

                continue;
            }

            if (!kinds.Contains(value.ValueKind) || (value.ValueKind == JsonValueKind.Number && !value.TryGetInt32(out _)))
            {
                throw Invalid($"action.{type}Action.{field}\n  Input has the wrong type [type=type_error]");
            }
        }

        if (type == "COMMAND" && action.TryGetProperty("commands", out var commands))
        {
            if (commands.ValueKind == JsonValueKind.Array && commands.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
            {
                throw Invalid("action.CommandAction.commands\n  Input should be a valid string [type=string_type]");
            }

            if (commands.ValueKind == JsonValueKind.Null || commands.GetArrayLength() == 0)
            {
                throw Invalid("action.CommandAction.commands\n  Value error, Either 'commands' or 'yaml_manifest' is required for a COMMAND action [type=value_error]");
            }
        }

        if (type == "COMMAND" && action.TryGetProperty("allowed_exit_codes", out var codes) && codes.ValueKind == JsonValueKind.Array
            && codes.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out _)))
        {
            throw Invalid("action.CommandAction.allowed_exit_codes\n  Input should be a valid integer [type=int_type]");
        }

        return new PlannerResponse(type!, action);
    }

    private static PyError Invalid(string detail) => new("ValidationError", $"1 validation error for LLMPlannerResponse\n{detail}");
}
