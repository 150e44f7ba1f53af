extern alias overseer;

using overseer::KafkaDemo.Overseer.Agent;

namespace KafkaDemo.UnitTests.Agent;

/// <summary>
/// Reading a refused change from vibectl's error line (vibectl 0.11.6 k8s_utils.py run_kubectl:
/// "Command failed with exit code {rc}: {kubectl's stderr}"), with kubectl's own wording of the API
/// server's refusal, as the agent round tests see it from the real kubectl.
/// </summary>
public sealed class AgentRefusalTests
{
    [Fact]
    public void An_admission_policys_denial_gives_its_message_and_the_policy()
    {
        var refusal = AgentRefusal.Read("Error: Command failed with exit code 1: The kafkas \"kafkademo\" is invalid: : ValidatingAdmissionPolicy 'kafkademo-agent-tuning' with binding 'kafkademo-agent-tuning' denied request: metadata.ownerReferences may not change: an owner would let Kubernetes garbage-collect the resource.");

        Assert.NotNull(refusal);
        Assert.Equal("metadata.ownerReferences may not change: an owner would let Kubernetes garbage-collect the resource.", refusal.Message);
        Assert.Equal("kafkademo-agent-tuning", refusal.Policy);
    }

    [Fact]
    public void Rbac_refusing_a_change_gives_its_sentence_and_no_policy()
    {
        var refusal = AgentRefusal.Read("Error: Command failed with exit code 1: Error from server (Forbidden): kafkatopics.kafka.strimzi.io \"orders\" is forbidden: User \"system:serviceaccount:kafkademo-agent:vibectl\" cannot patch resource \"kafkatopics\" in API group \"kafka.strimzi.io\" in the namespace \"kafka\"");

        Assert.NotNull(refusal);
        Assert.StartsWith("kafkatopics.kafka.strimzi.io \"orders\" is forbidden: User", refusal.Message, StringComparison.Ordinal);
        Assert.Null(refusal.Policy);
    }

    [Theory]
    [InlineData("Error: Command failed with exit code 1: Error from server (Forbidden): secrets is forbidden: User \"system:serviceaccount:kafkademo-agent:vibectl\" cannot list resource \"secrets\" in API group \"\" in the namespace \"kafka\"")]
    [InlineData("Error: Command failed with exit code 1: Error from server (NotFound): kafkas.kafka.strimzi.io \"other\" not found")]
    [InlineData("Error: LLM Planning Error: denied request: nothing")]
    [InlineData("Note: Recovery suggestions:")]
    public void Other_lines_are_no_refused_change(string line) => Assert.Null(AgentRefusal.Read(line));
}
