using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>
/// What the API server refuses when a ValidatingAdmissionPolicy is written: what cel-go's compiler refuses,
/// with its message, even where the Cel package that evaluates policies in the fake would have run it, and
/// what the fake cannot evaluate faithfully although Kubernetes accepts it.
/// </summary>
public sealed class PolicyCompilationTests
{
    [Fact]
    public async Task Has_on_an_index_is_refused_with_cel_gos_message_and_position()
    {
        await using var cluster = await StartAsync();

        var refused = await RefusedAsync(cluster, Policy("has(object.data['level'])"));

        Assert.Equal(
            "ValidatingAdmissionPolicy.admissionregistration.k8s.io \"guard\" is invalid: spec.validations[0].expression: Invalid value: \"has(object.data['level'])\": compilation failed: ERROR: <input>:1:16: invalid argument to has() macro\n | has(object.data['level'])\n | ...............^",
            refused["message"]!.GetValue<string>());
        Assert.Equal(
            """{"name":"guard","group":"admissionregistration.k8s.io","kind":"ValidatingAdmissionPolicy","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \"has(object.data['level'])\": compilation failed: ERROR: <input>:1:16: invalid argument to has() macro\n | has(object.data['level'])\n | ...............^","field":"spec.validations[0].expression"}]}""",
            refused["details"]!.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Assert.Null(cluster.Api.Get(KafkaDemo.TestSupport.Kubernetes.ResourceType.ValidatingAdmissionPolicies, null, "guard"));
    }

    [Theory]
    [InlineData("object.data.level in ['info', 1]", "compilation failed: ERROR: <input>:1:31: expected type 'string' but found 'int'")]
    [InlineData("{'a': 1, 'b': 'x'}.size() == 2", "compilation failed: ERROR: <input>:1:15: expected type 'int' but found 'string'")]
    [InlineData("[object.data.level, 'info'].size() == 2", "compilation failed: ERROR: <input>:1:21: expected type 'dyn' but found 'string'")]
    [InlineData("object.data.level.shout() == 'x'", "compilation failed: ERROR: <input>:1:24: undeclared reference to 'shout' (in container '')")]
    [InlineData("params.level == 'info'", "compilation failed: ERROR: <input>:1:1: undeclared reference to 'params' (in container '')")]
    [InlineData("variables.level == 'info'", "compilation failed: ERROR: <input>:1:1: undeclared reference to 'variables' (in container '')")]
    [InlineData("request.user == 'x'", "compilation failed: ERROR: <input>:1:8: undefined field 'user'")]
    [InlineData("object.data.level.matches('^(?=info)')", "compilation failed: ERROR: <input>:1:27: invalid matches argument")]
    [InlineData("object.data.level.matches('\\\\1')", "compilation failed: ERROR: <input>:1:27: invalid matches argument")]
    [InlineData("object.data.level", "must evaluate to bool but got dyn")]
    [InlineData("size(object.data)", "must evaluate to bool but got int")]
    public async Task What_cel_go_refuses_is_refused(string expression, string detail)
    {
        await using var cluster = await StartAsync();

        var message = (await RefusedAsync(cluster, Policy(expression)))["message"]!.GetValue<string>();

        Assert.StartsWith($"ValidatingAdmissionPolicy.admissionregistration.k8s.io \"guard\" is invalid: spec.validations[0].expression: Invalid value: {Quote(expression)}: {detail}", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("object.?data.level == 'info'", "optional field selection '.?'")]
    [InlineData("object.data.level.lowerAscii() == 'info'", "the function 'lowerAscii'")]
    [InlineData("quantity(object.data.limit).isLessThan(quantity('1Gi'))", "the function 'quantity'")]
    [InlineData("object.data.all(k, v, v != '')", "two-variable comprehension all(k, v, ...)")]
    [InlineData("{'level': 'info'}.filter(k, k != 'level').size() == 0", "filter() over a map")]
    public async Task What_kubernetes_accepts_but_the_fake_cannot_evaluate_is_refused_saying_so(string expression, string what)
    {
        await using var cluster = await StartAsync();

        var message = (await RefusedAsync(cluster, Policy(expression)))["message"]!.GetValue<string>();

        Assert.Contains($"Invalid value: {Quote(expression)}: the fake Kubernetes API cannot evaluate this faithfully with the Cel package, though Kubernetes 1.32 accepts it: ERROR: <input>:1:", message, StringComparison.Ordinal);
        Assert.Contains(what, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Variables_are_declared_in_order_message_expressions_must_be_strings_and_errors_are_listed_together()
    {
        await using var cluster = await StartAsync();
        var policy = Policy("variables.late == 'x'");
        policy.Spec.Variables = [new V1Variable { Name = "early", Expression = "variables.late" }, new V1Variable { Name = "late", Expression = "'x'" }];
        policy.Spec.Validations[0].MessageExpression = "1";
        policy.Spec.MatchConditions = [new V1MatchCondition { Name = "who", Expression = "variables.late == 'x'" }];

        var message = (await RefusedAsync(cluster, policy))["message"]!.GetValue<string>();

        // matchConditions are compiled without variables; a variable sees only those before it.
        Assert.StartsWith("ValidatingAdmissionPolicy.admissionregistration.k8s.io \"guard\" is invalid: [", message, StringComparison.Ordinal);
        Assert.Contains("spec.matchConditions[0].expression: Invalid value: \"variables.late == 'x'\": compilation failed: ERROR: <input>:1:1: undeclared reference to 'variables' (in container '')", message, StringComparison.Ordinal);
        Assert.Contains("spec.variables[0].expression: Invalid value: \"variables.late\": compilation failed: ERROR: <input>:1:10: undefined field 'late'", message, StringComparison.Ordinal);
        Assert.Contains("spec.validations[0].messageExpression: Invalid value: \"1\": must evaluate to string but got int", message, StringComparison.Ordinal);
        Assert.DoesNotContain("spec.validations[0].expression", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_binding_may_not_both_deny_and_warn_and_needs_an_action()
    {
        await using var cluster = await StartAsync();
        var binding = new V1ValidatingAdmissionPolicyBinding
        {
            Metadata = new V1ObjectMeta { Name = "guard" },
            Spec = new V1ValidatingAdmissionPolicyBindingSpec { PolicyName = "guard", ValidationActions = ["Deny", "Warn"] },
        };

        var both = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyBindingAsync(binding, cancellationToken: Token));
        binding.Spec.ValidationActions = [];
        var none = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyBindingAsync(binding, cancellationToken: Token));

        Assert.Equal(
            "ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io \"guard\" is invalid: spec.validationActions: Invalid value: []admissionregistration.ValidationAction{\"Deny\", \"Warn\"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)",
            Parse(both.Response.Content)["message"]!.GetValue<string>());
        Assert.Equal(
            "ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io \"guard\" is invalid: spec.validationActions: Required value: at least one validation action is required",
            Parse(none.Response.Content)["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_valid_policy_is_stored_with_the_registry_defaults()
    {
        await using var cluster = await StartAsync();
        var policy = Policy("has(object.data) && 'level' in object.data && object.data.level.matches('^[a-z]+$')");
        policy.Spec.FailurePolicy = null;

        var stored = await cluster.Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyAsync(policy, cancellationToken: Token);

        Assert.Equal("Fail", stored.Spec.FailurePolicy);
        Assert.Equal("Equivalent", stored.Spec.MatchConstraints.MatchPolicy);
        Assert.NotNull(stored.Spec.MatchConstraints.NamespaceSelector);
        Assert.NotNull(stored.Spec.MatchConstraints.ObjectSelector);
        Assert.Equal("*", stored.Spec.MatchConstraints.ResourceRules[0].Scope);
        Assert.Equal(1, stored.Metadata.Generation);
    }

    private static V1ValidatingAdmissionPolicy Policy(string expression) => new()
    {
        Metadata = new V1ObjectMeta { Name = "guard" },
        Spec = new V1ValidatingAdmissionPolicySpec
        {
            FailurePolicy = "Fail",
            MatchConstraints = new V1MatchResources
            {
                ResourceRules = [new V1NamedRuleWithOperations { ApiGroups = [""], ApiVersions = ["v1"], Operations = ["CREATE", "UPDATE"], Resources = ["configmaps"] }],
            },
            Validations = [new V1Validation { Expression = expression }],
        },
    };

    private static async Task<System.Text.Json.Nodes.JsonObject> RefusedAsync(FakeCluster cluster, V1ValidatingAdmissionPolicy policy)
    {
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyAsync(policy, cancellationToken: Token));
        Assert.Equal((HttpStatusCode)422, refused.Response.StatusCode);
        var status = Parse(refused.Response.Content);
        Assert.Equal("Invalid", status["reason"]!.GetValue<string>());
        return status;
    }

    /// <summary>Go's %q for the printable ASCII these expressions are made of.</summary>
    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
