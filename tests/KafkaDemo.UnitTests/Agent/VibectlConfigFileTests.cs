extern alias overseer;

using overseer::KafkaDemo.Overseer.Agent;

namespace KafkaDemo.UnitTests.Agent;

/// <summary>
/// vibectl's config.yaml read back as PyYAML writes it (vibectl 0.11.6 config_utils.py
/// save_yaml_config; the example of /work/notes/vibectl-0.11.6.md §3): the memory comes back exactly,
/// which <c>memory show</c>'s Rich panel cannot give.
/// </summary>
public sealed class VibectlConfigFileTests
{
    /// <summary>
    /// PyYAML's dump of the memory of §3 (brackets, an em dash, a check mark, é, "yes #tag"): double
    /// quotes, escapes, and a fold at 80 columns continued with a backslash.
    /// </summary>
    private const string Written = """
        display:
          show_kubectl: true
          show_streaming: false
        llm:
          model: claude-sonnet-4.6
        memory:
          enabled: true
          max_chars: 2000
        memory_content: "Kafka lag on topic orders: 1200 msgs [consumer-group cg-1]; action:\
          \ scaled consumer deployment to 3 replicas. Next: watch lag & check broker CPU \u2014\
          \ \u2713 stable? H\xE9llo: yes #tag"
        system:
          custom_instructions: 'Tune Kafka.

            Never change topics.'
          log_level: WARNING
        """;

    [Fact]
    public void The_memory_comes_back_exactly_with_the_brackets_rich_would_strip()
    {
        var file = VibectlConfigFile.Parse(Written);

        Assert.Equal(
            "Kafka lag on topic orders: 1200 msgs [consumer-group cg-1]; action: scaled consumer deployment to 3 replicas. Next: watch lag & check broker CPU — ✓ stable? Héllo: yes #tag",
            file.Memory);
        Assert.Equal("Tune Kafka.\nNever change topics.", file.Get("system.custom_instructions"));
    }

    [Fact]
    public void Each_setting_is_compared_as_vibectls_schema_types_it()
    {
        var file = VibectlConfigFile.Parse(Written);

        Assert.Null(file.Mismatch("memory.max_chars", "2000"));
        Assert.Null(file.Mismatch("llm.model", "claude-sonnet-4.6"));
        Assert.Null(file.Mismatch("display.show_streaming", "false"));
        Assert.Null(file.Mismatch("display.show_kubectl", "true"));
        Assert.Equal("memory.max_chars reads back as '2000', not '500'", file.Mismatch("memory.max_chars", "500"));
        Assert.Equal("llm.model reads back as 'claude-sonnet-4.6', not 'claude-3.7-sonnet'", file.Mismatch("llm.model", "claude-3.7-sonnet"));
        Assert.Equal("display.show_kubectl reads back as 'true', not 'false'", file.Mismatch("display.show_kubectl", "false"));
        Assert.Equal("core.kubeconfig reads back as nothing, not 'x'", file.Mismatch("core.kubeconfig", "x"));
    }

    [Fact]
    public void Null_memory_is_empty_but_a_quoted_null_is_text()
    {
        Assert.Equal("", VibectlConfigFile.Parse("memory_content: null\nmemory:\n  max_chars: 500\n").Memory);
        Assert.Equal("", VibectlConfigFile.Parse("memory:\n  max_chars: 500\n").Memory);
        Assert.Equal("", VibectlConfigFile.Parse("").Memory);
        Assert.Equal("null", VibectlConfigFile.Parse("memory_content: 'null'\n").Memory);
        Assert.Null(VibectlConfigFile.Parse("memory_content: ~\n").Get("memory_content"));
    }

    [Fact]
    public void Text_that_is_not_a_yaml_mapping_is_refused()
    {
        Assert.Throws<FormatException>(() => VibectlConfigFile.Parse("memory_content: \"unterminated\n"));
        Assert.Throws<FormatException>(() => VibectlConfigFile.Parse("- a list\n- of things\n"));
    }
}
