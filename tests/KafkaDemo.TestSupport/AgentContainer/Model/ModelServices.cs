using System.Collections.Concurrent;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// The model providers' APIs as the agent pod would reach them: Anthropic's Messages API, OpenAI's
/// API and any OpenAI-compatible server a test sets up (by the <c>api_base</c> an extra model names).
/// Each answers only a current model with an accepted key; otherwise it answers the error the real
/// API sends (404 not_found_error, 401 authentication_error), which the SDK raises. What a model
/// then says is <see cref="ScriptedModel"/>'s. Every request is recorded with the key it carried.
/// </summary>
public sealed class ModelServices
{
    /// <summary>Anthropic's API (llm-anthropic passes base_url=None; the SDK's default).</summary>
    public const string AnthropicUrl = "https://api.anthropic.com";

    /// <summary>OpenAI's API (openai-python's default base URL).</summary>
    public const string OpenAiUrl = "https://api.openai.com/v1";

    private readonly ConcurrentDictionary<string, CompatibleServer> servers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ModelRequest> requests = new();

    /// <summary>
    /// The Claude models Anthropic serves (ids as sent, without <c>anthropic/</c>). By default only the
    /// 4.5 generation and later: stricter than Anthropic, which may still serve some older ids; the 3.x
    /// models, <c>claude-3-7-sonnet-latest</c> included, answer 404 as retired models do.
    /// </summary>
    public ISet<string> AnthropicModels { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "claude-sonnet-4-5", "claude-haiku-4-5-20251001", "claude-opus-4-5-20251101", "claude-opus-4-6", "claude-sonnet-4-6",
        "claude-opus-4-7", "claude-opus-4-8",
    };

    /// <summary>The key Anthropic accepts; null accepts any non-empty key.</summary>
    public string? AnthropicKey { get; set; }

    /// <summary>The models OpenAI serves (by default a current few; others answer 404 model_not_found).</summary>
    public ISet<string> OpenAiModels { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3", "o3-mini", "o4-mini",
    };

    /// <summary>The key OpenAI accepts; null accepts any non-empty key.</summary>
    public string? OpenAiKey { get; set; }

    /// <summary>Every request a provider received, in order.</summary>
    public IReadOnlyList<ModelRequest> Requests => [.. requests];

    /// <summary>Sets up an OpenAI-compatible server at <paramref name="baseUrl"/> (the extra model's <c>api_base</c>, exactly).</summary>
    public void AddServer(string baseUrl, CompatibleServer server)
    {
        ArgumentException.ThrowIfNullOrEmpty(baseUrl);
        servers[baseUrl.TrimEnd('/')] = server ?? throw new ArgumentNullException(nameof(server));
    }

    /// <summary>
    /// One request to the API at <paramref name="url"/>: null when it is answered normally, else the
    /// HTTP status and JSON error body it answers; a URL nobody serves is a connection error.
    /// </summary>
    internal (int Status, string Body)? Handle(string url, string model, string? key, string kind, out bool unreachable)
    {
        requests.Enqueue(new ModelRequest(url, model, key, kind));
        unreachable = false;
        if (url == AnthropicUrl)
        {
            if (string.IsNullOrEmpty(key) || (AnthropicKey is not null && key != AnthropicKey))
            {
                return (401, """{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""");
            }

            return AnthropicModels.Contains(model)
                ? null
                : (404, $$$"""{"type":"error","error":{"type":"not_found_error","message":"model: {{{model}}}"}}""");
        }

        if (url == OpenAiUrl)
        {
            if (string.IsNullOrEmpty(key) || (OpenAiKey is not null && key != OpenAiKey))
            {
                return (401, $$$"""{"error":{"message":"Incorrect API key provided: {{{Mask(key)}}}. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""");
            }

            return OpenAiModels.Contains(model)
                ? null
                : (404, $$$"""{"error":{"message":"The model `{{{model}}}` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}""");
        }

        if (servers.TryGetValue(url.TrimEnd('/'), out var server))
        {
            if (server.RequiredKey is not null && key != server.RequiredKey)
            {
                return (401, """{"error":{"message":"Invalid API key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""");
            }

            return server.Models is null || server.Models.Contains(model)
                ? null
                : (404, $$$"""{"error":{"message":"model '{{{model}}}' not found","type":"invalid_request_error","param":null,"code":"model_not_found"}}""");
        }

        unreachable = true;
        return null;
    }

    private static string Mask(string? key) => key is null || key.Length <= 8 ? "sk-***" : $"{key[..3]}***{key[^4..]}";
}

/// <summary>An OpenAI-compatible model server a test runs (vLLM, Ollama, LM Studio...).</summary>
public sealed class CompatibleServer
{
    /// <summary>The key it requires as <c>Authorization: Bearer</c>; null: it takes any (llm sends DUMMY_KEY when no key is named).</summary>
    public string? RequiredKey { get; init; }

    /// <summary>The model names it serves; null: any.</summary>
    public IReadOnlySet<string>? Models { get; init; }
}

/// <summary>One request to a provider's API: where, for which model (the name sent), with which key, for which of vibectl's calls.</summary>
public sealed record ModelRequest(string Url, string Model, string? Key, string Kind);
