using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// What the scripted model does with one call: answer a text (for vibectl's planner, a JSON plan),
/// never answer (the call waits until the process is killed), or have its provider's API answer an
/// HTTP error (a body the SDK turns into its exception). This is the invented part of the stand-in:
/// a test double for the language model, nothing more.
/// </summary>
public abstract record ModelAnswer
{
    /// <summary>The model's reply text, as llm's <c>response.text()</c> returns it.</summary>
    public static ModelAnswer Text(string text) => new TextAnswer(text);

    /// <summary>A planner reply: the JSON vibectl's LLMPlannerResponse expects, for <paramref name="action"/>.</summary>
    public static ModelAnswer Plan(PlannerAction action) => new TextAnswer(action.ToJson());

    /// <summary>No reply until the process waiting for it is killed.</summary>
    public static ModelAnswer Hang() => new HangAnswer();

    /// <summary>The provider's API answers <paramref name="status"/> with this JSON body (the SDK retries 408, 409, 429 and 5xx twice first).</summary>
    public static ModelAnswer ApiError(int status, string body) => new ErrorAnswer(status, JsonNode.Parse(body)!.AsObject());

    /// <summary>Anthropic's "overloaded" error (HTTP 529), which vibectl treats as recoverable.</summary>
    public static ModelAnswer Overloaded() => ApiError(529, """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""");

    internal sealed record TextAnswer(string Value) : ModelAnswer;

    internal sealed record HangAnswer : ModelAnswer;

    internal sealed record ErrorAnswer(int Status, JsonObject Body) : ModelAnswer;
}

/// <summary>
/// One action of vibectl 0.11.6's planner (vibectl/schema.py LLMPlannerResponse: <c>{"action": {...}}</c>
/// with <c>action_type</c> COMMAND, WAIT, THOUGHT, DONE, ERROR or FEEDBACK and their fields).
/// </summary>
public sealed record PlannerAction
{
    private PlannerAction(JsonObject action, string? presentationHints = null)
    {
        Action = action;
        PresentationHints = presentationHints;
    }

    /// <summary>The action object.</summary>
    public JsonObject Action { get; }

    public string? PresentationHints { get; init; }

    /// <summary>
    /// COMMAND: kubectl's arguments with the verb first (<c>["patch", "kafka", "kafkademo", ...]</c>;
    /// vibe.py _extract_verb_args), an optional explanation and allowed exit codes.
    /// </summary>
    public static PlannerAction Command(IEnumerable<string> commands, string? explanation = null, IEnumerable<int>? allowedExitCodes = null)
    {
        var action = new JsonObject { ["action_type"] = "COMMAND", ["commands"] = new JsonArray([.. commands.Select(c => (JsonNode)c)]) };
        if (explanation is not null)
        {
            action["explanation"] = explanation;
        }

        if (allowedExitCodes is not null)
        {
            action["allowed_exit_codes"] = new JsonArray([.. allowedExitCodes.Select(c => (JsonNode)c)]);
        }

        return new PlannerAction(action);
    }

    /// <summary>COMMAND with a YAML manifest (not modelled by the stand-in: kubectl reading stdin).</summary>
    public static PlannerAction Manifest(string yaml, IEnumerable<string>? commands = null) =>
        new(new JsonObject
        {
            ["action_type"] = "COMMAND",
            ["yaml_manifest"] = yaml,
            ["commands"] = commands is null ? null : new JsonArray([.. commands.Select(c => (JsonNode)c)]),
        });

    public static PlannerAction Wait(int seconds) => new(new JsonObject { ["action_type"] = "WAIT", ["duration_seconds"] = seconds });

    public static PlannerAction Thought(string text) => new(new JsonObject { ["action_type"] = "THOUGHT", ["text"] = text });

    public static PlannerAction Done(string? explanation = null, int? exitCode = null) =>
        new(new JsonObject { ["action_type"] = "DONE", ["explanation"] = explanation, ["exit_code"] = exitCode });

    public static PlannerAction Error(string message) => new(new JsonObject { ["action_type"] = "ERROR", ["message"] = message });

    public static PlannerAction Feedback(string message, string? explanation = null, string? suggestion = null) =>
        new(new JsonObject { ["action_type"] = "FEEDBACK", ["message"] = message, ["explanation"] = explanation, ["suggestion"] = suggestion });

    /// <summary>The JSON text the model answers.</summary>
    public string ToJson()
    {
        var response = new JsonObject { ["action"] = Action.DeepClone() };
        if (PresentationHints is not null)
        {
            response["presentation_hints"] = PresentationHints;
        }

        return response.ToJsonString();
    }
}
