extern alias overseer;

using overseer::KafkaDemo.Overseer.Agent;

namespace KafkaDemo.UnitTests.Agent;

/// <summary>The Overseer's block in vibectl's memory: replaced each round, the agent's notes kept, the whole within memory.max_chars.</summary>
public sealed class AgentMemoryTests
{
    private static string Block(string body) => $"{AgentMemory.Start} {body}\n{AgentMemory.End}";

    [Fact]
    public void The_first_write_is_the_block_alone()
    {
        Assert.Equal(Block("p99 20 ms"), AgentMemory.Merge("", Block("p99 20 ms"), 2000));
        Assert.Equal(Block("p99 20 ms"), AgentMemory.Merge(null, Block("p99 20 ms"), 2000));
    }

    [Fact]
    public void The_block_is_replaced_and_the_agents_notes_before_and_after_it_are_kept()
    {
        var memory = $"Tried num.io.threads 2→4: better.\n{Block("old figures")}\nNext: try num.network.threads 3.";

        var merged = AgentMemory.Merge(memory, Block("new figures"), 2000);

        Assert.StartsWith(Block("new figures"), merged, StringComparison.Ordinal);
        Assert.DoesNotContain("old figures", merged, StringComparison.Ordinal);
        Assert.Contains("Tried num.io.threads 2→4: better.", merged, StringComparison.Ordinal);
        Assert.Contains("Next: try num.network.threads 3.", merged, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(merged, AgentMemory.Start));
    }

    [Fact]
    public void Blocks_the_agent_copied_are_all_removed()
    {
        var memory = $"{Block("a")} note one {Block("b")} note two";

        var merged = AgentMemory.Merge(memory, Block("c"), 2000);

        Assert.Equal($"{Block("c")}\nnote one  note two", merged);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(1000)]
    [InlineData(2000)]
    public void The_whole_stays_within_max_chars_keeping_the_most_recent_notes(int maxChars)
    {
        var notes = string.Join('\n', Enumerable.Range(1, 200).Select(i => $"note {i:D3}: changed something and measured it"));
        var block = Block(new string('x', 300));

        var merged = AgentMemory.Merge(notes, block, maxChars);

        Assert.True(merged.Length <= maxChars, $"{merged.Length} > {maxChars}");
        Assert.StartsWith(block, merged, StringComparison.Ordinal);
        Assert.EndsWith("note 200: changed something and measured it", merged, StringComparison.Ordinal);
        Assert.Contains(AgentMemory.Elided, merged, StringComparison.Ordinal);
    }

    [Fact]
    public void A_block_that_cannot_fit_or_lacks_its_markers_is_refused()
    {
        Assert.Throws<ArgumentException>(() => AgentMemory.Merge("", Block(new string('x', 600)), 500));
        Assert.Throws<ArgumentException>(() => AgentMemory.Merge("", "no markers", 500));
    }

    [Fact]
    public void Rich_panels_from_memory_show_are_read_back_to_the_text()
    {
        const string Shown = """
            ╭─────────── Memory Content ───────────╮
            │ <overseer> measured 05:12:00 UTC     │
            │ SLO: p99 <= 25 ms.                   │
            │ </overseer>                          │
            │ Tried num.io.threads 2→4.            │
            ╰──────────────────────────────────────╯
            """;

        Assert.Equal("<overseer> measured 05:12:00 UTC\nSLO: p99 <= 25 ms.\n</overseer>\nTried num.io.threads 2→4.", AgentMemory.FromShowOutput(Shown));
        Assert.Equal("", AgentMemory.FromShowOutput("Memory is empty. Use 'vibectl memory set' to add content.\n"));
    }

    [Fact]
    public void Square_brackets_are_not_used_because_rich_would_take_them_for_markup()
    {
        Assert.DoesNotContain('[', AgentMemory.Start);
        Assert.DoesNotContain('[', AgentMemory.End);
    }
}
