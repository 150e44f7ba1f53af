namespace KafkaDemo.Overseer.Agent;

/// <summary>The agent's goal, <c>k3d/agent/instructions.md</c>, built into the Overseer and set with <c>vibectl instructions set</c>.</summary>
public static class AgentInstructions
{
    public static string Text { get; } = Read();

    private static string Read()
    {
        using var stream = typeof(AgentInstructions).Assembly.GetManifestResourceStream("k3d/agent/instructions.md")
            ?? throw new InvalidOperationException("k3d/agent/instructions.md is not built into the Overseer.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Trim();
    }
}
