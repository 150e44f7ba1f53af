using System.Text.Json;
using System.Text.Json.Nodes;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>The kind of model class a model is in llm 0.26 and llm-anthropic 0.25.1.</summary>
internal enum LlmModelKind
{
    /// <summary>llm/default_plugins/openai_models.py Chat: <c>OpenAI Chat: {model_id}</c>.</summary>
    OpenAiChat,

    /// <summary>openai_models.py Completion: <c>OpenAI Completion: {model_id}</c>.</summary>
    OpenAiCompletion,

    /// <summary>llm_anthropic.py ClaudeMessages: <c>Anthropic Messages: anthropic/{id}</c>.</summary>
    Anthropic,
}

/// <summary>A model llm knows, with what its class says about keys, schemas and its endpoint.</summary>
internal sealed record LlmModel
{
    public required string Id { get; init; }

    public required LlmModelKind Kind { get; init; }

    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>_get_key_mixin.needs_key: the keys.json name, or null when no key is used.</summary>
    public string? NeedsKey { get; init; }

    /// <summary>key_env_var: the environment variable llm falls back to.</summary>
    public string? KeyEnvVar { get; init; }

    public bool SupportsSchema { get; init; }

    /// <summary>Whether an async variant is registered (extra models and gpt-3.5-turbo-instruct have none).</summary>
    public bool HasAsync { get; init; } = true;

    /// <summary>An OpenAI-compatible server's base URL (extra-openai-models.yaml api_base), or null for the provider's own.</summary>
    public string? ApiBase { get; init; }

    /// <summary>The name sent to the API: Chat.execute uses <c>model_name or model_id</c>; Anthropic the id without <c>anthropic/</c>.</summary>
    public required string ApiName { get; init; }

    /// <summary>str(model): models.py _BaseModel.__str__ as the plugins override it.</summary>
    public override string ToString() => Kind switch
    {
        LlmModelKind.OpenAiChat => $"OpenAI Chat: {Id}",
        LlmModelKind.OpenAiCompletion => $"OpenAI Completion: {Id}",
        _ => $"Anthropic Messages: {Id}",
    };
}

/// <summary>
/// The models llm 0.26 knows in the agent pod, with llm-anthropic 0.25.1 installed: registration
/// order (llm/plugins.py load_plugins registers llm-anthropic from its entry point first and the
/// default OpenAI plugin last; pluggy calls hooks last-registered first, so the OpenAI models come
/// first), the extra OpenAI-compatible models from <c>$LLM_USER_PATH/extra-openai-models.yaml</c>
/// (openai_models.py register_models 166-215) after the built-in OpenAI ones, and aliases from
/// aliases.json. Name resolution is llm/__init__.py get_model: an exact alias or model id.
/// </summary>
internal sealed class LlmCatalogue
{
    /// <summary>llm/__init__.py DEFAULT_MODEL.</summary>
    public const string DefaultModel = "gpt-4o-mini";

    /// <summary>openai_models.py register_models 23-164: (id, aliases, supports_schema, has async).</summary>
    private static readonly (string Id, string[] Aliases, bool Schema, bool Async)[] OpenAi =
    [
        ("gpt-4o", ["4o"], true, true),
        ("chatgpt-4o-latest", ["chatgpt-4o"], false, true),
        ("gpt-4o-mini", ["4o-mini"], true, true),
        ("gpt-4o-audio-preview", [], false, true),
        ("gpt-4o-audio-preview-2024-12-17", [], false, true),
        ("gpt-4o-audio-preview-2024-10-01", [], false, true),
        ("gpt-4o-mini-audio-preview", [], false, true),
        ("gpt-4o-mini-audio-preview-2024-12-17", [], false, true),
        ("gpt-4.1", ["4.1"], true, true),
        ("gpt-4.1-mini", ["4.1-mini"], true, true),
        ("gpt-4.1-nano", ["4.1-nano"], true, true),
        ("gpt-3.5-turbo", ["3.5", "chatgpt"], false, true),
        ("gpt-3.5-turbo-16k", ["chatgpt-16k", "3.5-16k"], false, true),
        ("gpt-4", ["4", "gpt4"], false, true),
        ("gpt-4-32k", ["4-32k"], false, true),
        ("gpt-4-1106-preview", [], false, true),
        ("gpt-4-0125-preview", [], false, true),
        ("gpt-4-turbo-2024-04-09", [], false, true),
        ("gpt-4-turbo", ["gpt-4-turbo-preview", "4-turbo", "4t"], false, true),
        ("gpt-4.5-preview-2025-02-27", [], true, true),
        ("gpt-4.5-preview", ["gpt-4.5"], true, true),
        ("o1", [], true, true),
        ("o1-2024-12-17", [], true, true),
        ("o1-preview", [], false, true),
        ("o1-mini", [], false, true),
        ("o3-mini", [], true, true),
        ("o3", [], true, true),
        ("o4-mini", [], true, true),
    ];

    /// <summary>llm_anthropic.py register_models 20-325: (id as sent to the API, aliases); every one supports schemas.</summary>
    private static readonly (string Id, string[] Aliases)[] Anthropic =
    [
        ("claude-3-opus-20240229", []),
        ("claude-3-opus-latest", ["claude-3-opus"]),
        ("claude-3-sonnet-20240229", ["claude-3-sonnet"]),
        ("claude-3-haiku-20240307", ["claude-3-haiku"]),
        ("claude-3-5-sonnet-20240620", []),
        ("claude-3-5-sonnet-20241022", []),
        ("claude-3-5-sonnet-latest", ["claude-3.5-sonnet", "claude-3.5-sonnet-latest"]),
        ("claude-3-5-haiku-latest", ["claude-3.5-haiku"]),
        ("claude-3-7-sonnet-20250219", []),
        ("claude-3-7-sonnet-latest", ["claude-3.7-sonnet", "claude-3.7-sonnet-latest"]),
        ("claude-opus-4-0", ["claude-4-opus"]),
        ("claude-sonnet-4-0", ["claude-4-sonnet"]),
        ("claude-opus-4-1-20250805", ["claude-opus-4.1"]),
        ("claude-sonnet-4-5", ["claude-sonnet-4.5"]),
        ("claude-haiku-4-5-20251001", ["claude-haiku-4.5"]),
        ("claude-opus-4-5-20251101", ["claude-opus-4.5"]),
        ("claude-opus-4-6", ["claude-opus-4.6"]),
        ("claude-sonnet-4-6", ["claude-sonnet-4.6"]),
        ("claude-opus-4-7", ["claude-opus-4.7"]),
        ("claude-opus-4-8", ["claude-opus-4.8"]),
    ];

    private LlmCatalogue(IReadOnlyList<LlmModel> models, string defaultModel)
    {
        Models = models;
        Default = defaultModel;
    }

    /// <summary>Every model, in the order <c>llm models list</c> prints them, with its aliases.</summary>
    public IReadOnlyList<LlmModel> Models { get; }

    /// <summary>get_default_model: default_model.txt in the user dir, else gpt-4o-mini.</summary>
    public string Default { get; }

    /// <summary>
    /// The catalogue as llm builds it in a process with this environment and these files. Reading
    /// the user dir creates it (llm/__init__.py user_dir: mkdir parents=True).
    /// </summary>
    /// <exception cref="PyError">extra-openai-models.yaml breaks model loading (KeyError, TypeError), as in llm.</exception>
    public static LlmCatalogue Load(IReadOnlyDictionary<string, string> environment, ContainerFiles files, string workingDirectory)
    {
        var userDir = UserDir(environment, files, workingDirectory);
        var models = OpenAi.Select(m => new LlmModel
        {
            Id = m.Id,
            ApiName = m.Id,
            Kind = LlmModelKind.OpenAiChat,
            Aliases = m.Aliases,
            NeedsKey = "openai",
            KeyEnvVar = "OPENAI_API_KEY",
            SupportsSchema = m.Schema,
            HasAsync = m.Async,
        }).ToList();
        models.Add(new LlmModel
        {
            Id = "gpt-3.5-turbo-instruct",
            ApiName = "gpt-3.5-turbo-instruct",
            Kind = LlmModelKind.OpenAiCompletion,
            Aliases = ["3.5-instruct", "chatgpt-instruct"],
            NeedsKey = "openai",
            KeyEnvVar = "OPENAI_API_KEY",
            HasAsync = false,
        });
        models.AddRange(ExtraModels(files, $"{userDir}/extra-openai-models.yaml"));
        models.AddRange(Anthropic.Select(m => new LlmModel
        {
            Id = "anthropic/" + m.Id,
            ApiName = m.Id,
            Kind = LlmModelKind.Anthropic,
            Aliases = m.Aliases,
            NeedsKey = "anthropic",
            KeyEnvVar = "ANTHROPIC_API_KEY",
            SupportsSchema = true,
        }));

        // __init__.py get_models_with_aliases 90-110: aliases.json entries whose value is a model id join its aliases.
        var aliasesPath = $"{userDir}/aliases.json";
        if (files.FileExists(aliasesPath))
        {
            var extra = JsonNode.Parse(files.ReadAllText(aliasesPath)) as JsonObject ?? [];
            models = [.. models.Select(m => m with
            {
                Aliases = [.. m.Aliases, .. extra.Where(p => p.Value?.GetValueKind() == JsonValueKind.String && (string?)p.Value == m.Id).Select(p => p.Key)],
            })];
        }

        var defaultPath = $"{userDir}/default_model.txt";
        var defaultModel = files.FileExists(defaultPath) ? files.ReadAllText(defaultPath).Trim() : DefaultModel;
        return new LlmCatalogue(models, defaultModel);
    }

    /// <summary>
    /// llm/__init__.py get_model: the alias or model id, exactly (get_model_aliases: each model's aliases,
    /// then its id, a later model winning). UnknownModelError otherwise.
    /// </summary>
    public LlmModel Get(string? name)
    {
        name = string.IsNullOrEmpty(name) ? Default : name;
        var byName = new Dictionary<string, LlmModel>(StringComparer.Ordinal);
        foreach (var model in Models)
        {
            foreach (var alias in model.Aliases)
            {
                byName[alias] = model;
            }

            byName[model.Id] = model;
        }

        if (byName.TryGetValue(name, out var found))
        {
            return found;
        }

        throw new PyError("UnknownModelError", "Unknown model: " + name);
    }

    /// <summary>
    /// llm/__init__.py user_dir: <c>$LLM_USER_PATH</c>, else click.get_app_dir("io.datasette.llm")
    /// (<c>$XDG_CONFIG_HOME/io.datasette.llm</c>, else <c>~/.config/io.datasette.llm</c>); created if missing.
    /// </summary>
    public static string UserDir(IReadOnlyDictionary<string, string> environment, ContainerFiles files, string workingDirectory)
    {
        var path = environment.GetValueOrDefault("LLM_USER_PATH") is { Length: > 0 } llmUserPath ? llmUserPath
            : environment.GetValueOrDefault("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? $"{xdg}/io.datasette.llm"
            : environment.GetValueOrDefault("HOME") is { Length: > 0 } home ? $"{home}/.config/io.datasette.llm"
            : throw new PyError("OSError", "HOME is not set; the stand-in does not read the passwd database");
        var full = ContainerFiles.Normalize(path, workingDirectory);
        try
        {
            files.CreateDirectory(full);
        }
        catch (ContainerFileException e)
        {
            throw new PyError("OSError", $"[Errno {e.Errno}] {e.Description}: '{e.Path}'");
        }

        return full;
    }

    /// <summary>
    /// openai_models.py register_models 166-215: each entry of extra-openai-models.yaml (yaml.safe_load)
    /// becomes a sync-only Chat (or Completion) model. model_id and model_name are required (a KeyError
    /// otherwise, which breaks every get_model); api_base makes it need no key (the literal DUMMY_KEY is
    /// sent); api_key_name names the key, still falling back to OPENAI_API_KEY.
    /// </summary>
    private static List<LlmModel> ExtraModels(ContainerFiles files, string path)
    {
        if (!files.FileExists(path))
        {
            return [];
        }

        object? loaded;
        try
        {
            loaded = PyYamlReader.Load(files.ReadAllText(path));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new PyError("ScannerError", e.Message);
        }

        if (loaded is not List<object?> entries)
        {
            throw loaded is null
                ? new PyError("TypeError", "'NoneType' object is not iterable")
                : new PyError("TypeError", $"extra-openai-models.yaml holds a {loaded.GetType().Name}, which the stand-in does not iterate as llm would");
        }

        var models = new List<LlmModel>();
        foreach (var entry in entries)
        {
            if (entry is not PyDict model)
            {
                throw new PyError("TypeError", "string indices must be integers, not 'str'");
            }

            var id = model.TryGetValue("model_id", out var idValue) ? PyValue.Str(idValue) : throw new PyError("KeyError", "model_id");
            var name = model.TryGetValue("model_name", out var nameValue) ? PyValue.Str(nameValue) : throw new PyError("KeyError", "model_name");
            var aliases = model.TryGetValue("aliases", out var aliasValue) && aliasValue is List<object?> list ? list.Select(PyValue.Str).ToArray() : [];
            var apiBase = model.TryGetValue("api_base", out var baseValue) && PyValue.Truthy(baseValue) ? PyValue.Str(baseValue) : null;
            string? needsKey = apiBase is null ? "openai" : null;
            if (model.TryGetValue("api_key_name", out var keyName) && PyValue.Truthy(keyName))
            {
                needsKey = PyValue.Str(keyName);
            }

            models.Add(new LlmModel
            {
                Id = id,
                ApiName = string.IsNullOrEmpty(name) ? id : name,
                Kind = model.TryGetValue("completion", out var completion) && PyValue.Truthy(completion) ? LlmModelKind.OpenAiCompletion : LlmModelKind.OpenAiChat,
                Aliases = aliases,
                NeedsKey = needsKey,
                KeyEnvVar = "OPENAI_API_KEY",
                SupportsSchema = model.TryGetValue("supports_schema", out var schema) && schema is true,
                HasAsync = false,
                ApiBase = apiBase,
            });
        }

        return models;
    }
}
