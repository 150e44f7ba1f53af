extern alias overseer;

using overseer::KafkaDemo.Overseer.Agent;

namespace KafkaDemo.UnitTests.Agent;

/// <summary>
/// The names <c>llm models list</c> gives in the agent's pod (llm 0.26 with llm-anthropic 0.25.1;
/// /work/notes/llm-0.26.md §2 and §9), which decide whether the configured model is one llm knows.
/// </summary>
public sealed class LlmModelListTests
{
    /// <summary>A part of §9's listing, with an extra OpenAI-compatible model where llm lists it.</summary>
    private const string Listing = """
        OpenAI Chat: gpt-4o (aliases: 4o)
        OpenAI Chat: gpt-4o-audio-preview
        OpenAI Chat: gpt-4-turbo (aliases: gpt-4-turbo-preview, 4-turbo, 4t)
        OpenAI Completion: gpt-3.5-turbo-instruct (aliases: 3.5-instruct, chatgpt-instruct)
        OpenAI Chat: local-model (aliases: local)
        Anthropic Messages: anthropic/claude-3-opus-20240229
        Anthropic Messages: anthropic/claude-3-7-sonnet-latest (aliases: claude-3.7-sonnet, claude-3.7-sonnet-latest)
        Anthropic Messages: anthropic/claude-sonnet-4-0 (aliases: claude-4-sonnet)
        Anthropic Messages: anthropic/claude-sonnet-4-6 (aliases: claude-sonnet-4.6)
        Default: gpt-4o-mini
        """;

    [Fact]
    public void Model_ids_and_aliases_are_the_names_llm_accepts()
    {
        var models = LlmModelList.Parse(Listing);

        Assert.Equal(9, models.Models.Count);
        Assert.Equal(new LlmModel("anthropic/claude-sonnet-4-6", ["claude-sonnet-4.6"]), models.Models[^1], new ModelComparer());
        Assert.Equal(["gpt-4-turbo-preview", "4-turbo", "4t"], models.Models[2].Aliases);
        Assert.True(models.Knows("claude-sonnet-4.6"));
        Assert.True(models.Knows("anthropic/claude-sonnet-4-6"));
        Assert.True(models.Knows("claude-3.7-sonnet"));
        Assert.True(models.Knows("local-model"));
        Assert.True(models.Knows("local"));
        Assert.True(models.Knows("gpt-4o-audio-preview"));
    }

    [Theory]
    [InlineData("claude-sonnet-4")] // the README's old name: not in llm-anthropic 0.25.1
    [InlineData("claude-sonnet-4-6")] // the id without its anthropic/ prefix
    [InlineData("Claude-Sonnet-4.6")] // get_model is case-sensitive
    [InlineData("gpt-4o-mini")] // only the Default line names it here
    [InlineData("Default")]
    public void Names_llm_would_refuse_are_unknown(string name) =>
        Assert.False(LlmModelList.Parse(Listing).Knows(name));

    [Fact]
    public void The_names_list_ids_first_then_aliases_each_once()
    {
        var names = LlmModelList.Parse(Listing).Names;

        Assert.Equal("gpt-4o", names[0]);
        Assert.Equal("anthropic/claude-sonnet-4-6", names[8]);
        Assert.Equal("4o", names[9]);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Contains("claude-sonnet-4.6", names);
    }

    private sealed class ModelComparer : IEqualityComparer<LlmModel>
    {
        public bool Equals(LlmModel? x, LlmModel? y) => x?.Id == y?.Id && (x?.Aliases ?? []).SequenceEqual(y?.Aliases ?? []);

        public int GetHashCode(LlmModel obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}
