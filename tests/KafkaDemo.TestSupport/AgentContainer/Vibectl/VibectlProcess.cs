using System.Diagnostics;
using System.Numerics;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// One running <c>vibectl</c> (a Python process): its <c>os.environ</c> (the process environment,
/// which vibectl changes), the CLI overrides (overrides.py), its consoles and logger, the model
/// adapter's cache, and what it did so far (for the scripted model). The LLM side mirrors
/// vibectl/model_adapter.py LLMModelAdapter and vibectl/memory.py.
/// </summary>
internal sealed class VibectlProcess
{
    /// <summary>types.py RECOVERABLE_API_ERROR_KEYWORDS.</summary>
    private static readonly string[] RecoverableKeywords =
        ["overloaded", "rate_limit", "rate limit", "capacity", "unavailable", "retry", "throttled", "server error", "service_unavailable"];

    private readonly Dictionary<string, LlmModel> modelCache = new(StringComparer.Ordinal);

    public VibectlProcess(ProgramContext context, RichConsole rich)
    {
        Context = context;
        Log = new VibectlLog(context);
        Console = new VibectlConsole(context, rich);
    }

    public ProgramContext Context { get; }

    /// <summary>overrides.py: values the global CLI options set for this invocation.</summary>
    public Dictionary<string, object?> Overrides { get; } = new(StringComparer.Ordinal);

    public VibectlConsole Console { get; }

    public VibectlLog Log { get; }

    /// <summary>The kubectl commands run so far (what the scripted model may look at).</summary>
    public List<AgentStep> Steps { get; } = [];

    /// <summary><c>Config()</c>: the file read afresh.</summary>
    public VibectlConfig Config() => VibectlConfig.Open(this);

    /// <summary>llm's models as llm loads them now (every get_model reloads the plugins' models).</summary>
    public LlmCatalogue Catalogue() => LlmCatalogue.Load(Context.Environment, Context.Files, Context.WorkingDirectory);

    /// <summary>ModelEnvironment._determine_provider_from_model (model_adapter.py 428-443).</summary>
    public static string? ProviderOf(string modelName)
    {
        var name = modelName.ToLowerInvariant();
        return name.StartsWith("gpt-", StringComparison.Ordinal) ? "openai"
            : name.StartsWith("anthropic/", StringComparison.Ordinal) || name.Contains("claude-", StringComparison.Ordinal) ? "anthropic"
            : name.Contains("ollama", StringComparison.Ordinal) && name.Contains(':', StringComparison.Ordinal) ? "ollama"
            : null;
    }

    /// <summary>
    /// model_adapter.py ModelEnvironment (408-487) around <paramref name="body"/>: on enter, the
    /// provider's <c>{P}_API_KEY</c> is saved if set and set from vibectl's key sources; on exit the
    /// saved value is restored and <em>every</em> one of OPENAI_API_KEY, ANTHROPIC_API_KEY and
    /// OLLAMA_API_KEY that was not saved is deleted from the environment. So after a call for an
    /// Anthropic model OPENAI_API_KEY is gone, and after one for a model of no known provider (an
    /// OpenAI-compatible extra model) all three are.
    /// </summary>
    public async Task<T> WithModelEnvironmentAsync<T>(string modelName, Func<Task<T>> body)
    {
        var environment = Context.Environment;
        var original = new Dictionary<string, string>(StringComparer.Ordinal);
        var provider = ProviderOf(modelName);
        if (provider is not null)
        {
            var legacy = provider switch { "openai" => "OPENAI_API_KEY", "anthropic" => "ANTHROPIC_API_KEY", _ => "OLLAMA_API_KEY" };
            if (environment.TryGetValue(legacy, out var saved))
            {
                original[legacy] = saved;
            }

            if (Config().GetModelKey(provider) is { Length: > 0 } key && provider != "ollama")
            {
                environment[legacy] = key;
            }
        }

        try
        {
            return await body();
        }
        finally
        {
            foreach (var (name, value) in original)
            {
                environment[name] = value;
            }

            foreach (var name in new[] { "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OLLAMA_API_KEY" })
            {
                if (!original.ContainsKey(name))
                {
                    environment.Remove(name);
                }
            }
        }
    }

    /// <summary>
    /// LLMModelAdapter.get_model (800-849): cached per process; llm.get_model inside a
    /// ModelEnvironment; on failure <c>ValueError</c>, worded as a missing key when the provider has
    /// none configured in vibectl, else <c>Failed to get model '{name}': {e}</c>.
    /// </summary>
    public async Task<LlmModel> GetModelAsync(string modelName)
    {
        if (modelCache.TryGetValue(modelName, out var cached))
        {
            return cached;
        }

        return await WithModelEnvironmentAsync(modelName, () =>
        {
            try
            {
                var model = Catalogue().Get(modelName);
                modelCache[modelName] = model;
                return Task.FromResult(model);
            }
            catch (PyError e)
            {
                if (ProviderOf(modelName) is { } provider && Config().GetModelKey(provider) is null)
                {
                    throw PyError.ValueError(ApiKeyMessage(provider, modelName, isError: true), e);
                }

                throw PyError.ValueError($"Failed to get model '{modelName}': {e.Str}", e);
            }
        });
    }

    /// <summary>model_adapter.py _format_api_key_message (1181-1217).</summary>
    public static string ApiKeyMessage(string provider, string modelName, bool isError)
    {
        var prefix = isError
            ? $"Failed to get model '{modelName}': API key for {provider} not found. "
            : $"Warning: No API key found for {provider} models like '{modelName}'. ";
        var upper = provider.ToUpperInvariant();
        return prefix + "Set a key using one of these methods:\n"
            + $"- Environment variable: export VIBECTL_{upper}_API_KEY=your-api-key\n"
            + $"- Config key file: vibectl config set providers.{provider}.key_file \n"
            + "  /path/to/key/file\n"
            + $"- Direct config: vibectl config set providers.{provider}.key your-api-key\n"
            + $"- Environment variable key file: export VIBECTL_{upper}_API_KEY_FILE=/path/to/key/file";
    }

    /// <summary>
    /// llm_utils.py run_llm → LLMModelAdapter.execute (851-1093), the non-streaming call: the
    /// ModelEnvironment block closes before the response is read, so llm looks its key up in the
    /// environment as it was (a key given only to vibectl is gone by then; model_adapter.py 891-950).
    /// Failures are logged and raised as RecoverableApiError (for the recoverable keywords) or
    /// <c>ValueError("LLM Execution Error for model {id}: {e}")</c>.
    /// </summary>
    public async Task<string> RunLlmAsync(string modelName, ModelCall call, bool schema, string kind)
    {
        var model = await GetModelAsync(modelName);
        var started = Stopwatch.StartNew();
        var latencies = new List<double>();
        try
        {
            await WithModelEnvironmentAsync(model.Id, () => Task.FromResult(0));
            var attempt = Stopwatch.StartNew();
            try
            {
                LlmRuntime.CheckPrompt(model, schema);
                latencies.Add(attempt.Elapsed.TotalMilliseconds);
            }
            catch (PyError e)
            {
                latencies.Add(attempt.Elapsed.TotalMilliseconds);

                // _execute_single_prompt_attempt, then _handle_prompt_execution_with_adaptation for a non-AttributeError.
                var wrapped = IsRecoverable(e) ? new PyError("RecoverableApiError", $"Recoverable API error in _execute_single_prompt_attempt: {e.Str}", e) : e;
                await Log.WarningAsync($"LLM call to model {model.Id} failed on attempt 1 with non-AttributeError: {wrapped.Str}");
                throw wrapped;
            }

            return await LlmRuntime.ForceAsync(Context, model, call with { ModelId = model.Id }, kind);
        }
        catch (PyError e)
        {
            var total = started.Elapsed.TotalMilliseconds;
            var last = latencies.Count > 0 ? latencies[^1] : total;
            await Log.WarningAsync($"LLM call to model '{model.Id}' failed. Attempts (if adaptation stage): {Math.Max(1, latencies.Count)}. "
                + $"Last/Relevant llm_lib_latency: {PyValue.FloatRepr(last)} ms, Total Duration: {PyValue.FloatRepr(total)} ms. Error: {e.Str}");
            if (IsRecoverable(e))
            {
                await Log.WarningAsync($"Recoverable API error detected for model '{model.Id}': {e.Str}");
                throw new PyError("RecoverableApiError", $"Recoverable API Error during LLM call to {model.Id}: {e.Str}", e);
            }

            throw PyError.ValueError($"LLM Execution Error for model {model.Id}: {e.Str}", e);
        }
    }

    /// <summary>
    /// LLMModelAdapter.stream_execute (1235-1326): the response is iterated inside the
    /// ModelEnvironment, so here vibectl's own key reaches llm. Failures: a WARNING with its
    /// traceback, then RecoverableApiError or <c>ValueError("LLM Streaming Execution Error for model {id}: {e}")</c>.
    /// </summary>
    public async Task<string> StreamLlmAsync(string modelName, ModelCall call, string kind)
    {
        var model = await GetModelAsync(modelName);
        try
        {
            return await WithModelEnvironmentAsync(model.Id, () => LlmRuntime.ForceAsync(Context, model, call with { ModelId = model.Id }, kind));
        }
        catch (PyError e)
        {
            await Log.WarningWithTracebackAsync($"LLM streaming call to model '{model.Id}' failed. Error: {e.Str}", e);
            if (IsRecoverable(e))
            {
                await Log.WarningAsync($"Recoverable API error detected during streaming for model '{model.Id}': {e.Str}");
                throw new PyError("RecoverableApiError", $"Recoverable API Error during LLM stream to {model.Id}: {e.Str}", e);
            }

            throw PyError.ValueError($"LLM Streaming Execution Error for model {model.Id}: {e.Str}", e);
        }
    }

    private static bool IsRecoverable(PyError e) => RecoverableKeywords.Any(k => e.Str.ToLowerInvariant().Contains(k, StringComparison.Ordinal));

    /// <summary>memory.py get_memory: <c>memory_content</c> (None when the file says null).</summary>
    public static string? GetMemory(VibectlConfig config) => config.Get("memory_content", "") is { } value ? PyValue.Str(value) : null;

    /// <summary>memory.py set_memory: cut to <c>memory_text[:max_chars]</c> by code points, stored, saved.</summary>
    public static void SetMemory(VibectlConfig config, string text)
    {
        var maxChars = config.Get("memory.max_chars", new BigInteger(500));
        if (text.Length > 0 && maxChars is BigInteger max && PyStr.Length(text) > max)
        {
            text = PyStr.Prefix(text, (long)BigInteger.Max(BigInteger.Min(max, long.MaxValue), long.MinValue));
        }

        config.Set("memory_content", text);
        config.Save();
    }

    /// <summary>
    /// memory.py update_memory (103-153): nothing when memory.enabled is false; otherwise one LLM call
    /// whose answer, stripped, replaces the whole memory (set_memory cuts it); an empty answer leaves
    /// memory as it was with a WARNING; a RecoverableApiError or ValueError is logged and ignored.
    /// </summary>
    public async Task UpdateMemoryAsync(string commandMessage, string commandOutput, string vibeOutput, string modelName)
    {
        var config = Config();
        if (!PyValue.Truthy(config.Get("memory.enabled", true)))
        {
            return;
        }

        try
        {
            var call = new MemoryUpdateCall
            {
                Pod = Context.Pod.Name,
                ModelId = modelName,
                Memory = GetMemory(config) ?? "",
                MaxChars = MaxChars(config),
                CustomInstructions = config.Get("system.custom_instructions") as string,
                Steps = [.. Steps],
                CommandMessage = commandMessage,
                CommandOutput = commandOutput,
                VibeOutput = vibeOutput,
            };
            var updated = await RunLlmAsync(modelName, call, schema: false, kind: "memory-update");
            if (updated.Length > 0)
            {
                SetMemory(config, PyStr.Strip(updated));
            }
            else
            {
                await Log.WarningAsync("Memory update LLM call returned empty.");
            }
        }
        catch (PyError e) when (e.Is("ValueError"))
        {
            await Log.WarningAsync($"Ignoring memory update error: {e.Str}");
        }
        catch (PyError)
        {
            // logger.exception: ERROR, never shown.
        }
    }

    public static int MaxChars(VibectlConfig config) =>
        config.Get("memory.max_chars", new BigInteger(500)) is BigInteger max ? (int)BigInteger.Clamp(max, int.MinValue, int.MaxValue) : 500;
}
