namespace KafkaDemo.Overseer.Agent;

/// <summary>
/// The models llm knows in the agent's pod, from what <c>llm models list</c> prints there: the names
/// <c>vibectl config set llm.model</c> accepts. llm 0.26 cli.py models_list (2148-2226) prints one
/// line per model, <c>str(model)</c> (such as <c>Anthropic Messages: anthropic/claude-sonnet-4-6</c>,
/// models.py _BaseModel.__str__ and the plugins' overrides), followed by <c>(aliases: a, b)</c> when
/// it has aliases, and last <c>Default: &lt;model&gt;</c>. llm.get_model (__init__.py 316-334)
/// accepts a model id or an alias, exactly, case-sensitively. Models from
/// <c>extra-openai-models.yaml</c> are listed like the built-in ones (openai_models.py 166-215).
/// llm-0.26.md §2 and §9.
/// </summary>
public sealed class LlmModelList
{
    private const string AliasesOpen = " (aliases: ";

    private LlmModelList(IReadOnlyList<LlmModel> models) => Models = models;

    public IReadOnlyList<LlmModel> Models { get; }

    /// <summary>Every name llm accepts, model ids first, each once.</summary>
    public IReadOnlyList<string> Names => [.. Models.Select(m => m.Id).Concat(Models.SelectMany(m => m.Aliases)).Distinct(StringComparer.Ordinal)];

    public bool Knows(string name) => Models.Any(m => m.Id == name || m.Aliases.Contains(name, StringComparer.Ordinal));

    public static LlmModelList Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var models = new List<LlmModel>();
        foreach (var raw in output.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.TrimEnd();
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon <= 0 || line.StartsWith("Default: ", StringComparison.Ordinal) || raw.StartsWith(' '))
            {
                continue; // the default, --options' indented blocks, anything else
            }

            var rest = line[(colon + 2)..];
            var open = rest.IndexOf(AliasesOpen, StringComparison.Ordinal);
            var id = open < 0 ? rest : rest[..open];
            string[] aliases = open >= 0 && rest.EndsWith(')')
                ? [.. rest[(open + AliasesOpen.Length)..^1].Split(", ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
                : [];
            if (id.Length > 0 && !id.Contains(' ', StringComparison.Ordinal))
            {
                models.Add(new LlmModel(id, aliases));
            }
        }

        return new LlmModelList(models);
    }
}

/// <summary>A model llm knows: its id and its aliases.</summary>
public sealed record LlmModel(string Id, IReadOnlyList<string> Aliases);
