using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// A prompt through llm 0.26 to a provider, as the Python process would make it: the checks at
/// prompt time (models.py _BaseResponse.__init__: schema support), the key looked up when the
/// response is forced (models.py Response.__iter__ calls get_key, with the environment as it is
/// then), the provider SDK's request with its retries and error messages, and the scripted answer.
/// </summary>
internal static class LlmRuntime
{
    /// <summary>The SDKs' DEFAULT_MAX_RETRIES (anthropic _constants.py, openai _constants.py).</summary>
    private const int MaxRetries = 2;

    /// <summary>
    /// models.py _BaseResponse.__init__ 603-604: a schema for a model without supports_schema is a
    /// ValueError raised by <c>model.prompt()</c> itself.
    /// </summary>
    public static void CheckPrompt(LlmModel model, bool schema)
    {
        if (schema && !model.SupportsSchema)
        {
            throw PyError.ValueError($"{model} does not support schemas");
        }
    }

    /// <summary>
    /// llm models.py _get_key_mixin.get_key and llm/__init__.py get_key: no key for a model that
    /// needs none; else keys.json under the model's key name (an empty stored value is no key: it
    /// does not fall through to the environment), else the key environment variable if non-empty,
    /// else NeedsKeyException.
    /// </summary>
    public static string? GetKey(LlmModel model, IReadOnlyDictionary<string, string> environment, ContainerFiles files, string workingDirectory)
    {
        if (model.NeedsKey is null)
        {
            return null;
        }

        var keysPath = $"{LlmCatalogue.UserDir(environment, files, workingDirectory)}/keys.json";
        string? value = null;
        var stored = false;
        if (files.FileExists(keysPath))
        {
            JsonObject keys;
            try
            {
                keys = JsonNode.Parse(files.ReadAllText(keysPath)) as JsonObject ?? throw new JsonException("not an object");
            }
            catch (JsonException e)
            {
                throw new PyError("JSONDecodeError", $"keys.json is not JSON the stand-in reads as llm would: {e.Message}");
            }

            if (keys.TryGetPropertyValue(model.NeedsKey, out var node))
            {
                stored = true;
                value = node?.GetValueKind() == JsonValueKind.String ? (string?)node : node?.ToJsonString();
            }
        }

        if (!stored && model.KeyEnvVar is not null && environment.TryGetValue(model.KeyEnvVar, out var fromEnvironment))
        {
            value = fromEnvironment;
        }

        if (!string.IsNullOrEmpty(value))
        {
            return value;
        }

        var message = $"No key found - add one using 'llm keys set {model.NeedsKey}'";
        if (model.KeyEnvVar is not null)
        {
            message += $" or set the {model.KeyEnvVar} environment variable";
        }

        throw new PyError("NeedsKeyException", message);
    }

    /// <summary>
    /// Forces a response: the key (environment as it is now), the request to the provider (retried
    /// as the SDK retries), and the scripted model's answer. Raises what llm and the SDK raise.
    /// </summary>
    public static async Task<string> ForceAsync(ProgramContext context, LlmModel model, ModelCall call, string kind)
    {
        var key = model.NeedsKey is null ? "DUMMY_KEY" : GetKey(model, context.Environment, context.Files, context.WorkingDirectory);
        string url;
        if (model.Kind == LlmModelKind.Anthropic)
        {
            if (context.Environment.ContainsKey("ANTHROPIC_BASE_URL"))
            {
                context.Pod.Programs.RecordGap("ANTHROPIC_BASE_URL (another Anthropic endpoint) is not modelled");
            }

            url = ModelServices.AnthropicUrl;
        }
        else
        {
            // openai_models.py _Shared.get_client: api_base when set; else openai-python's OPENAI_BASE_URL or its default.
            url = model.ApiBase ?? context.Environment.GetValueOrDefault("OPENAI_BASE_URL") ?? ModelServices.OpenAiUrl;
        }

        for (var attempt = 0; ; attempt++)
        {
            var refusal = context.Pod.Programs.Services.Handle(url, model.ApiName, key, kind, out var unreachable);
            int status;
            string body;
            if (unreachable)
            {
                if (attempt < MaxRetries)
                {
                    await context.SleepAsync(RetryDelay(attempt));
                    continue;
                }

                // openai _base_client.py: after the retries, APIConnectionError with message "Connection error.".
                throw new PyError("APIConnectionError", "Connection error.");
            }

            if (refusal is { } error)
            {
                (status, body) = error;
            }
            else
            {
                switch (context.Pod.Programs.Model.Answer(call))
                {
                    case ModelAnswer.TextAnswer text:
                        return text.Value;
                    case ModelAnswer.HangAnswer:
                        await context.SleepAsync(Timeout.InfiniteTimeSpan);
                        throw new InvalidOperationException("A hung model call returned.");
                    case ModelAnswer.ErrorAnswer scripted:
                        (status, body) = (scripted.Status, scripted.Body.ToJsonString());
                        break;
                    default:
                        throw new InvalidOperationException("Unknown model answer.");
                }
            }

            // _base_client.py _should_retry: 408, 409, 429 and 5xx (529 included) are retried.
            if ((status is 408 or 409 or 429 || status >= 500) && attempt < MaxRetries)
            {
                await context.SleepAsync(RetryDelay(attempt));
                continue;
            }

            throw StatusError(model, status, body);
        }
    }

    /// <summary>
    /// _base_client.py _calculate_retry_timeout: 0.5 s doubling (times a jitter of 0.75 to 1; the
    /// stand-in takes the longest).
    /// </summary>
    private static TimeSpan RetryDelay(int retriesSoFar) => TimeSpan.FromSeconds(Math.Min(0.5 * Math.Pow(2, retriesSoFar), 8));

    /// <summary>
    /// _base_client.py _make_status_error_from_response: "Error code: {status} - {body}" with the body
    /// parsed and printed as a Python dict; the class from _client.py _make_status_error.
    /// </summary>
    private static PyError StatusError(LlmModel model, int status, string body)
    {
        var type = status switch
        {
            400 => "BadRequestError",
            401 => "AuthenticationError",
            403 => "PermissionDeniedError",
            404 => "NotFoundError",
            409 => "ConflictError",
            422 => "UnprocessableEntityError",
            429 => "RateLimitError",
            529 when model.Kind == LlmModelKind.Anthropic => "OverloadedError",
            >= 500 => "InternalServerError",
            _ => "APIStatusError",
        };
        var parsed = JsonNode.Parse(body);
        return new PyError(type, string.Create(CultureInfo.InvariantCulture, $"Error code: {status} - {PythonRepr(parsed)}"));
    }

    /// <summary>repr() of the dict json.loads gives: single-quoted strings, True/False/None.</summary>
    internal static string PythonRepr(JsonNode? node)
    {
        var text = new StringBuilder();
        Append(node);
        return text.ToString();

        void Append(JsonNode? value)
        {
            switch (value)
            {
                case null:
                    text.Append("None");
                    break;
                case JsonObject obj:
                    text.Append('{');
                    text.AppendJoin(", ", obj.Select(p => $"{PyStr.Repr(p.Key)}: {PythonRepr(p.Value)}"));
                    text.Append('}');
                    break;
                case JsonArray array:
                    text.Append('[');
                    text.AppendJoin(", ", array.Select(PythonRepr));
                    text.Append(']');
                    break;
                default:
                    var element = value.GetValue<JsonElement>();
                    text.Append(element.ValueKind switch
                    {
                        JsonValueKind.String => PyStr.Repr(element.GetString()!),
                        JsonValueKind.True => "True",
                        JsonValueKind.False => "False",
                        _ => element.GetRawText(),
                    });
                    break;
            }
        }
    }
}
