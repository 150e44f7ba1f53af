using KafkaDemo.DeploymentContract.Strimzi;

namespace KafkaDemo.Overseer.Agent;

/// <summary>The agent's goal, <c>k3d/agent/instructions.md</c>, built into the Overseer and set with <c>vibectl instructions set</c>.</summary>
public static class AgentInstructions
{
    /// <summary>The file as it is: for the Kafka kafka/kafkademo.</summary>
    public static string Text { get; } = Read();

    /// <summary>
    /// The goal for the Kafka <paramref name="kafkaName"/> in <paramref name="ns"/> (Overseer:Cluster,
    /// KafkaDemo:External:Namespace/KafkaName in an existing cluster): the file names the namespace as
    /// <c>`kafka`</c> and in the pod proxy path, and the Kafka as <c>kafkademo</c>, which is also the
    /// first part of its broker pods' names. For kafka/kafkademo, <see cref="Text"/> itself.
    /// </summary>
    public static string For(string ns, string kafkaName)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(kafkaName);
        return Text
            .Replace($"`{StrimziNames.Namespace}`", $"`{ns}`", StringComparison.Ordinal)
            .Replace($"/namespaces/{StrimziNames.Namespace}/", $"/namespaces/{ns}/", StringComparison.Ordinal)
            .Replace(StrimziNames.KafkaName, kafkaName, StringComparison.Ordinal);
    }

    private static string Read()
    {
        using var stream = typeof(AgentInstructions).Assembly.GetManifestResourceStream("k3d/agent/instructions.md")
            ?? throw new InvalidOperationException("k3d/agent/instructions.md is not built into the Overseer.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Trim();
    }
}
