using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.TestSupport.AgentContainer;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>
/// The agent's admission policy as shipped (k3d/agent/admission-policy.yaml and its binding): the API server
/// (the fake, which compiles it as cel-go would and evaluates its own CEL with the Cel package) accepts it, it
/// uses none of the forms cel-go refuses or the Cel package cannot evaluate faithfully, and each of the
/// agent's patches in <see cref="AgentPolicyCase.All"/> is judged as the table says, for the agent's service
/// account only: the same patch as an administrator (the AppHost, the Overseer's presets) always goes through.
/// </summary>
public sealed partial class AgentTuningPolicyTests
{
    private const string PolicyName = "kafkademo-agent-tuning";

    private static string AgentFile(string name) => File.ReadAllText(Path.Combine(SharedReference.RepositoryRoot, "k3d", "agent", name));

    public static TheoryData<string> Cases() => [.. AgentPolicyCase.All.Select(c => c.Name)];

    [Fact]
    public async Task The_shipped_policy_is_accepted_by_the_api_servers_compile_check_and_uses_no_form_cel_go_refuses()
    {
        var text = AgentFile("admission-policy.yaml");
        var policy = KubernetesYaml.Deserialize<V1ValidatingAdmissionPolicy>(text, strict: true);
        await using var cluster = await StartAsync();

        var stored = await cluster.Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyAsync(policy, cancellationToken: Token);

        Assert.Equal(PolicyName, stored.Metadata.Name);
        // The scan below can fail: each banned form is seen.
        Assert.All(["has(variables.newJvm['-Xmx'])", "object.?spec", "quantity(variables.limitMemory)", "variables.limitMemory.substring(0, 1)", "variables.newConfig.all(k, v, v != '')", "sets.contains([1], [1])"],
            e => Assert.Matches(BannedForms(), e));
        var expressions = Expressions(policy).ToList();
        Assert.True(expressions.Count > 20, "The policy's expressions were not all found.");
        Assert.All(expressions, e =>
        {
            var banned = BannedForms().Match(e);
            Assert.False(banned.Success, $"'{banned.Value}' in: {e}");
        });
    }

    [Theory]
    [InlineData("'-Xmx' in variables.newJvm", "has(variables.newJvm['-Xmx'])", "invalid argument to has() macro")]
    [InlineData("'config' in variables.newKafka", "'config' in variables.newKafka.?config", "optional field selection")]
    [InlineData("{'num.io.threads': [1, 64],", "{'num.io.threads': ['1', 64],", "expected type 'string' but found 'int'")]
    public async Task A_copy_of_the_policy_with_a_form_cel_go_refuses_is_refused(string shipped, string mutated, string refusal)
    {
        var text = AgentFile("admission-policy.yaml");
        Assert.Contains(shipped, text, StringComparison.Ordinal);
        var policy = KubernetesYaml.Deserialize<V1ValidatingAdmissionPolicy>(text.Replace(shipped, mutated, StringComparison.Ordinal), strict: true);
        await using var cluster = await StartAsync();

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyAsync(policy, cancellationToken: Token));

        Assert.Equal((HttpStatusCode)422, refused.Response.StatusCode);
        Assert.Contains(refusal, Parse(refused.Response.Content)["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_patch_is_judged_for_the_agent_and_never_for_an_administrator(string name)
    {
        var @case = AgentPolicyCase.Named(name);
        await using var cluster = await StartWorldAsync();
        using var agent = cluster.ClientFor(cluster.Api.IssueServiceAccountToken("kafkademo-agent", "vibectl"));
        var before = Spec(cluster, @case);

        var attempt = () => agent.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(@case.Patch, V1Patch.PatchType.MergePatch),
            @case.Resource.Group, @case.Resource.Version, AgentPolicyCase.Namespace, @case.Resource.Plural, @case.ObjectName, cancellationToken: Token);

        switch (@case.Outcome)
        {
            case PolicyOutcome.Allowed:
                await attempt();
                Assert.NotEqual(before, Spec(cluster, @case));
                Assert.Empty(cluster.Api.Requests[^1].AuditAnnotations);
                break;
            case PolicyOutcome.Forbidden:
                var forbidden = await Assert.ThrowsAsync<HttpOperationException>(attempt);
                Assert.Equal(HttpStatusCode.Forbidden, forbidden.Response.StatusCode);
                Assert.Contains("cannot patch resource", Parse(forbidden.Response.Content)["message"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.Equal(before, Spec(cluster, @case));
                break;
            default:
                var denied = await Assert.ThrowsAsync<HttpOperationException>(attempt);
                Assert.Equal((HttpStatusCode)422, denied.Response.StatusCode);
                var message = Parse(denied.Response.Content)["message"]!.GetValue<string>();
                Assert.StartsWith($"{@case.Resource.Plural}.kafka.strimzi.io \"{@case.ObjectName}\" is forbidden: ValidatingAdmissionPolicy '{PolicyName}' with binding '{PolicyName}' denied request: ", message, StringComparison.Ordinal);
                Assert.Contains(@case.Message!, message, StringComparison.Ordinal);
                Assert.Contains(@case.Message!, cluster.Api.Requests[^1].AuditAnnotations["validation.policy.admission.k8s.io/validation_failure"], StringComparison.Ordinal);
                Assert.Equal(before, Spec(cluster, @case));
                break;
        }

        // The same change by an administrator (the AppHost, the Overseer's presets) is not judged by the policy.
        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(@case.Patch, V1Patch.PatchType.MergePatch),
            @case.Resource.Group, @case.Resource.Version, AgentPolicyCase.Namespace, @case.Resource.Plural, @case.ObjectName, cancellationToken: Token);
        if (@case.Outcome != PolicyOutcome.Allowed)
        {
            Assert.NotEqual(before, Spec(cluster, @case));
        }
    }

    [Fact]
    public async Task An_unchanged_resource_and_an_agent_patch_that_changes_nothing_are_admitted()
    {
        await using var cluster = await StartWorldAsync();
        using var agent = cluster.ClientFor(cluster.Api.IssueServiceAccountToken("kafkademo-agent", "vibectl"));

        foreach (var (plural, name) in new[] { ("kafkas", "kafkademo"), ("kafkanodepools", "dual") })
        {
            await agent.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("{}", V1Patch.PatchType.MergePatch),
                "kafka.strimzi.io", "v1", "kafka", plural, name, cancellationToken: Token);
            Assert.Empty(cluster.Api.Requests[^1].AuditAnnotations);
        }
    }

    /// <summary>The fake with the Strimzi CRDs and the repository's k3d/kafka and k3d/agent objects, the policy among them, as AgentWorld deploys them.</summary>
    private static async Task<FakeCluster> StartWorldAsync()
    {
        var cluster = await StartAsync();
        try
        {
            foreach (var (kind, plural) in new[] { ("Kafka", "kafkas"), ("KafkaNodePool", "kafkanodepools"), ("KafkaTopic", "kafkatopics") })
            {
                await Strimzi.ApplyDefinitionAsync(cluster.Client, kind, plural);
            }

            foreach (var item in AgentWorld.Kustomize("k3d/kafka").Concat(AgentWorld.Kustomize("k3d/agent")))
            {
                if (item["metadata"]?["namespace"]?.GetValue<string>() is { } ns && cluster.Api.Get(KafkaDemo.TestSupport.Kubernetes.ResourceType.Namespaces, null, ns) is null)
                {
                    cluster.Api.Put(Parse($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}"""));
                }

                cluster.Api.Put(item, "kafkademo");
            }

            Assert.NotNull(cluster.Api.Get(KafkaDemo.TestSupport.Kubernetes.ResourceType.ValidatingAdmissionPolicyBindings, null, PolicyName));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static string Spec(FakeCluster cluster, AgentPolicyCase @case)
    {
        var item = cluster.Api.Get(@case.Resource, AgentPolicyCase.Namespace, @case.ObjectName)!;
        return new JsonObject { ["spec"] = item["spec"]!.DeepClone(), ["metadata"] = new JsonObject
        {
            ["labels"] = item["metadata"]!["labels"]?.DeepClone(),
            ["annotations"] = item["metadata"]!["annotations"]?.DeepClone(),
            ["ownerReferences"] = item["metadata"]!["ownerReferences"]?.DeepClone(),
        } }.ToJsonString();
    }

    private static IEnumerable<string> Expressions(V1ValidatingAdmissionPolicy policy) =>
        policy.Spec.MatchConditions.Select(c => c.Expression)
            .Concat(policy.Spec.Variables.Select(v => v.Expression))
            .Concat(policy.Spec.Validations.SelectMany(v => new[] { v.Expression, v.MessageExpression }))
            .Where(e => e is not null);

    /// <summary>
    /// Forms the policy must not use (/work/notes/cel.md §5): has() at all, the optional syntax,
    /// Kubernetes' extension functions, two-variable comprehensions.
    /// </summary>
    [GeneratedRegex(@"\bhas\(|\.\?|\[\?|\b(quantity|isQuantity|substring|split|join|lowerAscii|upperAscii|replace|trim|indexOf|lastIndexOf|charAt|format|url|isURL|ip|cidr)\(|\b(sets|strings|optional|math)\.|\.(all|exists|exists_one|map|filter)\(\s*\w+\s*,\s*\w+\s*,")]
    private static partial Regex BannedForms();
}
