using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.AppHost.Agent;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.AppHost.Tests.External;

/// <summary>
/// Two AppHosts in external mode on one existing cluster, their Kafkas in two namespaces (kafka/kafkademo and
/// streaming/main): each applies the agent's objects for its Kafka as the AppHost does (server-side, field manager
/// kafkademo). The admission policy and its binding are the only cluster-scoped objects among them; with one name
/// the second apply would move its namespaceSelector to <c>streaming</c>, and the agent could then patch any field of
/// kafka/kafkademo its Role allows. Named for the namespace, both stay in force.
/// </summary>
public sealed class SharedClusterPolicyTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_AppHosts_with_Kafkas_in_two_namespaces_of_one_cluster_each_keep_the_agent_s_admission_policy_on_theirs()
    {
        await using var world = await ExistingClusterWorld.StartAsync();
        await world.InstallStrimziCrdsAsync();
        var targets = new[] { KafkaTarget.Default, new KafkaTarget("streaming", "main") };
        foreach (var target in targets)
        {
            world.AddReadyKafka(target.Namespace, target.Name);
        }

        using (var api = new KubernetesApi(world.Api.CreateClient()))
        {
            foreach (var target in targets)
            {
                foreach (var item in AgentManifests.Render("registry.example.com/vibectl:1", configuredAt: null, "IfNotPresent", target))
                {
                    await api.ApplyAsync(item, Token);
                }
            }
        }

        Assert.Equal(
            [("kafkademo-agent-tuning", "kafka"), ("kafkademo-agent-tuning-streaming", "streaming")],
            world.Api.List(ResourceType.ValidatingAdmissionPolicies, null)
                .Select(p => ((string)p["metadata"]!["name"]!, (string?)p["spec"]!["matchConstraints"]!["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]))
                .Order());

        // The agent (one service account, bound in both namespaces) may not add a label to either Kafka: each policy refuses it in its own.
        using var agent = new k8s.Kubernetes(world.Api.ClientConfigurationFor(world.Api.IssueServiceAccountToken(AgentManifests.Namespace, "vibectl")));
        foreach (var target in targets)
        {
            var refused = await Assert.ThrowsAsync<HttpOperationException>(() => agent.CustomObjects.PatchNamespacedCustomObjectAsync(
                new V1Patch("""{"metadata":{"labels":{"team":"agent"}}}""", V1Patch.PatchType.MergePatch),
                "kafka.strimzi.io", "v1", target.Namespace, "kafkas", target.Name, cancellationToken: Token));
            Assert.Equal((HttpStatusCode)422, refused.Response.StatusCode);
            var policy = target.PolicyName("kafkademo-agent-tuning");
            Assert.Contains(
                $"ValidatingAdmissionPolicy '{policy}' with binding '{policy}' denied request: metadata.labels may not change",
                (string?)JsonNode.Parse(refused.Response.Content)!["message"], StringComparison.Ordinal);
        }
    }
}
