extern alias overseer;

using KafkaDemo.TestSupport.AgentContainer;
using overseer::KafkaDemo.Overseer.Agent;
using overseer::KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.IntegrationTests.Agent;

/// <summary>
/// The agent's admission policy (k3d/agent/admission-policy.yaml, deployed with the rest of k3d/agent)
/// in whole rounds: the Overseer's round code, vibectl 0.11.6 in the agent's pod, the real kubectl as its
/// service account, the fake API server evaluating the policy's own CEL. The model is scripted to make
/// exactly one change per round, the case's <c>kubectl patch</c> (TestSupport's <see cref="AgentPolicyCase"/>),
/// then say DONE. An allowed change changes the resource; a refused one leaves it as it was, its reason
/// (the policy's message, or RBAC's) is in the round's output, and it is a timeline event.
/// </summary>
public sealed class AgentPolicyRoundTests
{
    private const string RefusedPrefix = "Agent change refused: ";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string> Cases() => [.. AgentPolicyCase.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_round_that_makes_the_change_is_allowed_or_refused_as_the_policy_says(string name)
    {
        var @case = AgentPolicyCase.Named(name);
        await using var cluster = await AgentCluster.StartAsync();
        cluster.World.Agent.Model.Planner = call => ModelAnswer.Plan(call.Steps.Count == 0
            ? PlannerAction.Command(@case.KubectlArguments, $"Tuning: {@case.Name}.")
            : PlannerAction.Done("One change this round."));
        var before = Watched(cluster, @case);

        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);

        var round = Assert.Single(cluster.Get<AgentActivity>().Rounds);
        Assert.Contains(round.Output, l => l.Kind == AgentLineKind.KubectlCommand && l.Text.Contains($"kubectl patch {@case.Kind} {@case.ObjectName}", StringComparison.Ordinal));
        var refusals = cluster.Get<RunTimeline>().Snapshot().Events.Where(e => e.Kind == EventKinds.Agent && e.Message.StartsWith(RefusedPrefix, StringComparison.Ordinal)).ToList();
        switch (@case.Outcome)
        {
            case PolicyOutcome.Allowed:
                Assert.NotEqual(before, Watched(cluster, @case));
                Assert.Empty(refusals);
                Assert.Equal(AgentRoundResult.Ok, round.Result);
                break;
            case PolicyOutcome.Forbidden:
                Assert.Equal(before, Watched(cluster, @case));
                Assert.Contains(round.Output, l => l.Kind == AgentLineKind.Error && l.Text.Contains($"cannot patch resource \"{@case.Resource.Plural}\"", StringComparison.Ordinal));
                var forbidden = Assert.Single(refusals);
                Assert.Contains($"cannot patch resource \"{@case.Resource.Plural}\"", forbidden.Message, StringComparison.Ordinal);
                Assert.Equal("RBAC", forbidden.Details!["refusedBy"]);
                break;
            default:
                Assert.Equal(before, Watched(cluster, @case));
                var line = Assert.Single(round.Output, l => l.Kind == AgentLineKind.Error && l.Text.Contains(@case.Message!, StringComparison.Ordinal));
                Assert.StartsWith(
                    $"Error: Command failed with exit code 1: The {@case.Resource.Plural} \"{@case.ObjectName}\" is invalid: : ValidatingAdmissionPolicy 'kafkademo-agent-tuning' with binding 'kafkademo-agent-tuning' denied request: ",
                    line.Text, StringComparison.Ordinal);
                var denied = Assert.Single(refusals);
                Assert.StartsWith(RefusedPrefix, denied.Message, StringComparison.Ordinal);
                Assert.Contains(@case.Message!, denied.Message, StringComparison.Ordinal);
                Assert.Equal("ValidatingAdmissionPolicy kafkademo-agent-tuning", denied.Details!["refusedBy"]);
                Assert.Equal(round.Number, denied.Details["round"]);
                break;
        }
    }

    /// <summary>The spec and the metadata the policy guards, as stored.</summary>
    private static string Watched(AgentCluster cluster, AgentPolicyCase @case)
    {
        var item = cluster.Api.Get(@case.Resource, AgentPolicyCase.Namespace, @case.ObjectName)!;
        var metadata = item["metadata"]!;
        return string.Join("\n", item["spec"]!.ToJsonString(), metadata["labels"]?.ToJsonString(), metadata["annotations"]?.ToJsonString(), metadata["ownerReferences"]?.ToJsonString());
    }
}
