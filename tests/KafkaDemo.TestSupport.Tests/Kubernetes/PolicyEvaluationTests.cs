using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>
/// How the fake evaluates a policy's CEL where the Cel package on its own would differ from cel-go:
/// presence tests on JSON maps, errors inside <c>||</c> and <c>&amp;&amp;</c>, RE2's <c>$</c> and ASCII classes,
/// and variables evaluated only when used.
/// </summary>
public sealed class PolicyEvaluationTests
{
    [Theory]
    [InlineData("has(object.metadata.annotations)", null)]                          // {} is there: cel-go tests the key, not emptiness
    [InlineData("has(object.data.empty)", null)]                                     // so is ""
    [InlineData("!has(object.data.absent)", null)]
    [InlineData("object.data.absent == 'x' || true", null)]                          // an error on one side of || is absorbed by a true
    [InlineData("object.data.absent == 'x' && false", "failed expression: object.data.absent == 'x' && false")]
    [InlineData("object.data.absent == 'x'", "expression 'object.data.absent == 'x'' resulted in error: no such key: absent")]
    [InlineData("!object.data.text.matches('^[0-9]+$')", null)]                      // Go's $ is the end of the text, not before a final newline
    [InlineData("!object.data.digits.matches('^\\\\d+$')", null)]                    // Go's \d is ASCII only
    [InlineData("object.data.n == '3' && object.data.text.startsWith('123')", null)]
    [InlineData("object.data.all(k, k != '')", null)]
    public async Task An_expression_admits_or_denies_as_cel_go_would(string expression, string? denial)
    {
        await using var cluster = await StartAsync();
        await CreatePolicyAsync(cluster, expression);

        var attempt = () => cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Probe(), "default", dryRun: "All", cancellationToken: Token);

        if (denial is null)
        {
            await attempt();
        }
        else
        {
            Assert.Equal("ValidatingAdmissionPolicy 'probe' with binding 'probe' denied request: " + denial, await DenialAsync(attempt));
        }
    }

    [Fact]
    public async Task A_variable_is_evaluated_only_when_used_and_its_failure_names_it()
    {
        await using var cluster = await StartAsync();
        await CreatePolicyAsync(cluster, "true", variables: [new V1Variable { Name = "bad", Expression = "object.data.absent" }]);
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Probe(), "default", dryRun: "All", cancellationToken: Token);

        await ReplacePolicyAsync(cluster, "variables.bad == 'x'", [new V1Variable { Name = "bad", Expression = "object.data.absent" }]);

        Assert.Equal(
            "ValidatingAdmissionPolicy 'probe' with binding 'probe' denied request: expression 'variables.bad == 'x'' resulted in error: composited variable \"bad\" fails to evaluate: no such key: absent",
            await DenialAsync(() => cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Probe(), "default", dryRun: "All", cancellationToken: Token)));
    }

    private static V1ConfigMap Probe() => new()
    {
        Metadata = new V1ObjectMeta { Name = "probe", Annotations = new Dictionary<string, string>() },
        Data = new Dictionary<string, string> { ["empty"] = "", ["text"] = "123\n", ["digits"] = "\u0661\u0662\u0663", ["n"] = "3" },
    };

    private static async Task CreatePolicyAsync(FakeCluster cluster, string expression, IList<V1Variable>? variables = null)
    {
        await cluster.Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyAsync(Policy(expression, variables), cancellationToken: Token);
        await cluster.Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyBindingAsync(
            new V1ValidatingAdmissionPolicyBinding { Metadata = new V1ObjectMeta { Name = "probe" }, Spec = new V1ValidatingAdmissionPolicyBindingSpec { PolicyName = "probe", ValidationActions = ["Deny"] } },
            cancellationToken: Token);
    }

    private static async Task ReplacePolicyAsync(FakeCluster cluster, string expression, IList<V1Variable> variables)
    {
        var current = await cluster.Client.AdmissionregistrationV1.ReadValidatingAdmissionPolicyAsync("probe", cancellationToken: Token);
        var policy = Policy(expression, variables);
        policy.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
        await cluster.Client.AdmissionregistrationV1.ReplaceValidatingAdmissionPolicyAsync(policy, "probe", cancellationToken: Token);
    }

    private static V1ValidatingAdmissionPolicy Policy(string expression, IList<V1Variable>? variables) => new()
    {
        Metadata = new V1ObjectMeta { Name = "probe" },
        Spec = new V1ValidatingAdmissionPolicySpec
        {
            MatchConstraints = new V1MatchResources
            {
                ResourceRules = [new V1NamedRuleWithOperations { ApiGroups = [""], ApiVersions = ["v1"], Operations = ["CREATE"], Resources = ["configmaps"] }],
            },
            Variables = variables,
            Validations = [new V1Validation { Expression = expression }],
        },
    };

    private static async Task<string> DenialAsync(Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal((HttpStatusCode)422, refused.Response.StatusCode);
        return Parse(refused.Response.Content)["details"]!["causes"]![0]!["message"]!.GetValue<string>();
    }
}
