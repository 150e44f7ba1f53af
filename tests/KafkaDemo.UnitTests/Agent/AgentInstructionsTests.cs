extern alias overseer;

using overseer::KafkaDemo.Overseer.Agent;

namespace KafkaDemo.UnitTests.Agent;

/// <summary>The agent's goal names the Kafka the Overseer watches: kafka/kafkademo in k3d, the configured one in an existing cluster.</summary>
public sealed class AgentInstructionsTests
{
    [Fact]
    public void For_kafka_kafkademo_the_goal_is_the_file_as_it_is()
    {
        Assert.Equal(AgentInstructions.Text, AgentInstructions.For("kafka", "kafkademo"));
        Assert.Contains("`kafkademo`", AgentInstructions.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void For_another_namespace_and_Kafka_the_goal_names_them_its_pods_and_its_proxy_path()
    {
        var text = AgentInstructions.For("streaming", "main");

        Assert.Contains("namespace\n`streaming`", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("the Strimzi resources in `streaming`: the `Kafka` resource\n  `main`", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("`kubectl get kafka main -o yaml`", text, StringComparison.Ordinal);
        Assert.Contains("`kubectl get --raw /api/v1/namespaces/streaming/pods/main-dual-0:9404/proxy/metrics`", text, StringComparison.Ordinal);
        Assert.Contains("anything outside the namespace `streaming`", text, StringComparison.Ordinal);
        Assert.DoesNotContain("kafkademo", text, StringComparison.Ordinal);
        Assert.DoesNotContain("`kafka`", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/namespaces/kafka/", text, StringComparison.Ordinal);
    }
}
