using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.Rbac;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>
/// ValidatingAdmissionPolicy in the fake, through KubernetesClient and kubectl: a small policy on ConfigMaps
/// judged for the agent's account only, its CEL evaluated by the Cel package, the denial as the API server
/// words it, the binding's actions, failurePolicy, and what is refused when the policy is written.
/// </summary>
public sealed class AdmissionPolicyTests
{
    private const string Policy = """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata:
          name: settings-guard
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
            - apiGroups: [""]
              apiVersions: ["v1"]
              operations: ["CREATE", "UPDATE", "DELETE"]
              resources: ["configmaps"]
          matchConditions:
          - name: only-the-agent
            expression: "request.userInfo.username == 'system:serviceaccount:kafka:agent'"
          variables:
          - name: level
            expression: "object != null && 'data' in object && 'level' in object.data ? object.data.level : ''"
          validations:
          - expression: "request.operation != 'DELETE'"
            message: "the agent may not delete settings"
          - expression: "variables.level in ['info', 'debug']"
            messageExpression: "'level must be info or debug, not ' + variables.level"
          - expression: "!has(object.metadata.labels) || !('locked' in object.metadata.labels)"
        """;

    private const string Denied = "ValidatingAdmissionPolicy 'settings-guard' with binding 'settings-guard' denied request: ";

    [Fact]
    public async Task A_policy_admits_what_its_validations_allow_and_denies_the_rest_with_the_real_status()
    {
        var (cluster, agent) = await StartWithPolicyAsync();
        await using var _ = cluster;

        var created = await agent.CoreV1.CreateNamespacedConfigMapAsync(Settings("info"), Namespace, cancellationToken: Token);
        Assert.Equal("info", created.Data["level"]);

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => agent.CoreV1.ReplaceNamespacedConfigMapAsync(Settings("trace"), "settings", Namespace, cancellationToken: Token));
        Assert.Equal((HttpStatusCode)422, refused.Response.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"settings\" is forbidden: ValidatingAdmissionPolicy 'settings-guard' with binding 'settings-guard' denied request: level must be info or debug, not trace","reason":"Invalid","details":{"name":"settings","kind":"configmaps","causes":[{"message":"ValidatingAdmissionPolicy 'settings-guard' with binding 'settings-guard' denied request: level must be info or debug, not trace"}]},"code":422}""",
            refused.Response.Content);
        Assert.Equal("info", cluster.Api.Get(ResourceType.ConfigMaps, Namespace, "settings")!["data"]!["level"]!.GetValue<string>());

        // A DELETE sees object null and the stored object as oldObject; the first false validation's message.
        Assert.Equal(Denied + "the agent may not delete settings", await DeniedMessageAsync(() => agent.CoreV1.DeleteNamespacedConfigMapAsync("settings", Namespace, cancellationToken: Token)));

        // Without message or messageExpression: "failed expression: ...".
        var locked = Settings("debug");
        locked.Metadata.Labels = new Dictionary<string, string> { ["locked"] = "true" };
        Assert.Equal(
            Denied + "failed expression: !has(object.metadata.labels) || !('locked' in object.metadata.labels)",
            await DeniedMessageAsync(() => agent.CoreV1.ReplaceNamespacedConfigMapAsync(locked, "settings", Namespace, cancellationToken: Token)));

        // matchConditions: the policy judges the agent only, so the administrator may do all of it.
        await cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(locked, "settings", Namespace, cancellationToken: Token);
        await cluster.Client.CoreV1.DeleteNamespacedConfigMapAsync("settings", Namespace, cancellationToken: Token);
    }

    [Fact]
    public async Task Every_kind_of_patch_is_an_update_and_an_apply_that_creates_is_a_create_and_dry_runs_are_judged_alike()
    {
        var (cluster, agent) = await StartWithPolicyAsync();
        await using var _ = cluster;
        await agent.CoreV1.CreateNamespacedConfigMapAsync(Settings("info"), Namespace, cancellationToken: Token);
        var requests = new (string Name, V1Patch Patch)[]
        {
            ("merge", new V1Patch("""{"data":{"level":"trace"}}""", V1Patch.PatchType.MergePatch)),
            ("strategic", new V1Patch("""{"data":{"level":"trace"}}""", V1Patch.PatchType.StrategicMergePatch)),
            ("json", new V1Patch("""[{"op":"replace","path":"/data/level","value":"trace"}]""", V1Patch.PatchType.JsonPatch)),
            ("apply", new V1Patch("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"kafka"},"data":{"level":"trace"}}""", V1Patch.PatchType.ApplyPatch)),
        };

        foreach (var (name, patch) in requests)
        {
            var message = await DeniedMessageAsync(() => agent.CoreV1.PatchNamespacedConfigMapAsync(patch, "settings", Namespace, fieldManager: "agent", force: name == "apply" ? true : null, cancellationToken: Token));
            Assert.Equal(Denied + "level must be info or debug, not trace", message);
        }

        await agent.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"level":"debug"}}""", V1Patch.PatchType.MergePatch), "settings", Namespace, cancellationToken: Token);
        Assert.Equal("debug", cluster.Api.Get(ResourceType.ConfigMaps, Namespace, "settings")!["data"]!["level"]!.GetValue<string>());

        // An apply that creates is judged as CREATE (oldObject null), and a dry run is judged but stores nothing.
        var create = new V1Patch("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fresh","namespace":"kafka"},"data":{"level":"warn"}}""", V1Patch.PatchType.ApplyPatch);
        Assert.Equal(Denied + "level must be info or debug, not warn", await DeniedMessageAsync(() => agent.CoreV1.PatchNamespacedConfigMapAsync(create, "fresh", Namespace, fieldManager: "agent", dryRun: "All", cancellationToken: Token)));
        var fine = new V1Patch("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fresh","namespace":"kafka"},"data":{"level":"info"}}""", V1Patch.PatchType.ApplyPatch);
        await agent.CoreV1.PatchNamespacedConfigMapAsync(fine, "fresh", Namespace, fieldManager: "agent", dryRun: "All", cancellationToken: Token);
        Assert.Null(cluster.Api.Get(ResourceType.ConfigMaps, Namespace, "fresh"));
        await agent.CoreV1.PatchNamespacedConfigMapAsync(fine, "fresh", Namespace, fieldManager: "agent", cancellationToken: Token);
        Assert.NotNull(cluster.Api.Get(ResourceType.ConfigMaps, Namespace, "fresh"));
    }

    [Fact]
    public async Task The_request_a_policy_sees_names_the_operation_user_resource_and_dry_run()
    {
        var (cluster, agent) = await StartWithPolicyAsync();
        await using var _ = cluster;
        await PutPolicyAsync(cluster, """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicy
            metadata: {name: echo}
            spec:
              matchConstraints:
                resourceRules:
                - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"]}
              validations:
              - expression: "false"
                messageExpression: >-
                  request.operation + ' ' + request.userInfo.username + ' ' + request.userInfo.groups[0] + ',' + request.userInfo.groups[1] + ',' + request.userInfo.groups[2] + ' ' +
                  request.resource.group + '/' + request.resource.version + '/' + request.resource.resource + ' ' +
                  request.kind.kind + ' ' + request.namespace + '/' + request.name + ' sub=' + request.subResource +
                  ' dryRun=' + string(request.dryRun) + ' old=' + string(oldObject == null) + ' ns=' + namespaceObject.metadata.name
            """, "echo", "[Deny]");

        var message = await DeniedMessageAsync(() => agent.CoreV1.CreateNamespacedConfigMapAsync(Settings("info"), Namespace, dryRun: "All", cancellationToken: Token));

        Assert.Equal(
            "ValidatingAdmissionPolicy 'echo' with binding 'echo' denied request: CREATE system:serviceaccount:kafka:agent system:serviceaccounts,system:serviceaccounts:kafka,system:authenticated /v1/configmaps ConfigMap kafka/settings sub= dryRun=true old=true ns=kafka",
            message);
    }

    [Fact]
    public async Task Warn_and_audit_actions_let_the_request_through_and_say_what_failed()
    {
        var kubectl = KubectlTool.Find();
        var (cluster, agent) = await StartWithPolicyAsync(actions: "[Warn, Audit]");
        await using var _ = cluster;

        await agent.CoreV1.CreateNamespacedConfigMapAsync(Settings("trace"), Namespace, cancellationToken: Token);

        var create = cluster.Api.Requests[^1];
        var warning = "Validation failed for ValidatingAdmissionPolicy 'settings-guard' with binding 'settings-guard': level must be info or debug, not trace";
        Assert.Equal(201, create.StatusCode);
        Assert.Equal([warning], create.Warnings);
        Assert.Equal(
            """[{"message":"level must be info or debug, not trace","policy":"settings-guard","binding":"settings-guard","expressionIndex":1,"validationActions":["Warn","Audit"]}]""",
            create.AuditAnnotations["validation.policy.admission.k8s.io/validation_failure"]);

        // kubectl prints the Warning header.
        var manifest = Path.Combine(Path.GetDirectoryName(cluster.KubeconfigPath)!, "other.yaml");
        await File.WriteAllTextAsync(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: kafka}\ndata: {level: warn}\n", Token);
        var (exitCode, _, error) = await ExternalTool.RunAsync(kubectl, KubectlTool.Arguments(cluster, "--token", AgentToken(cluster), "create", "-f", manifest));
        Assert.Equal(0, exitCode);
        Assert.Contains("Warning: Validation failed for ValidatingAdmissionPolicy 'settings-guard' with binding 'settings-guard': level must be info or debug, not warn", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_expression_denies_under_failurePolicy_Fail_and_admits_under_Ignore()
    {
        var (cluster, agent) = await StartWithPolicyAsync();
        await using var _ = cluster;
        const string Failing = """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicy
            metadata: {name: strict}
            spec:
              failurePolicy: {0}
              matchConstraints:
                resourceRules:
                - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"]}
              validations:
              - expression: "object.data.owner == 'agent'"
                message: "only the agent's settings"
            """;
        await PutPolicyAsync(cluster, Failing.Replace("{0}", "Fail", StringComparison.Ordinal), "strict", "[Deny]");

        // A missing key is cel-go's "no such key" error; Fail turns it into a denial with the error as its message.
        Assert.Equal(
            "ValidatingAdmissionPolicy 'strict' with binding 'strict' denied request: expression 'object.data.owner == 'agent'' resulted in error: no such key: owner",
            await DeniedMessageAsync(() => agent.CoreV1.CreateNamespacedConfigMapAsync(Settings("info"), Namespace, cancellationToken: Token)));

        await PutPolicyAsync(cluster, Failing.Replace("{0}", "Ignore", StringComparison.Ordinal), "strict", "[Deny]");
        await agent.CoreV1.CreateNamespacedConfigMapAsync(Settings("info"), Namespace, cancellationToken: Token);
    }

    [Fact]
    public async Task A_reason_sets_the_code_and_kubectl_prints_the_denial_as_it_prints_a_real_one()
    {
        var kubectl = KubectlTool.Find();
        var (cluster, _) = await StartWithPolicyAsync();
        await using var __ = cluster;
        var manifest = Path.Combine(Path.GetDirectoryName(cluster.KubeconfigPath)!, "settings.yaml");
        await File.WriteAllTextAsync(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: kafka}\ndata: {level: trace}\n", Token);

        // 422 Invalid: kubectl's "The ... is invalid" with the cause's empty field.
        Assert.Equal(
            "The configmaps \"settings\" is invalid: : " + Denied + "level must be info or debug, not trace",
            await KubectlTool.FailAsync(kubectl, cluster, "--token", AgentToken(cluster), "create", "-f", manifest));

        await PutPolicyAsync(cluster, Policy.Replace("messageExpression: \"'level must be info or debug, not ' + variables.level\"", "messageExpression: \"'level must be info or debug, not ' + variables.level\"\n    reason: Forbidden", StringComparison.Ordinal), "settings-guard", "[Deny]");
        Assert.Equal(
            "Error from server (Forbidden): error when creating \"" + manifest + "\": configmaps \"settings\" is forbidden: " + Denied + "level must be info or debug, not trace",
            await KubectlTool.FailAsync(kubectl, cluster, "--token", AgentToken(cluster), "create", "-f", manifest));
    }

    [Fact]
    public async Task Bindings_select_by_namespace_and_object_labels_and_a_policy_without_a_binding_does_nothing()
    {
        var (cluster, agent) = await StartWithPolicyAsync(bind: false);
        await using var _ = cluster;
        await agent.CoreV1.CreateNamespacedConfigMapAsync(Settings("trace"), Namespace, cancellationToken: Token);

        await PutBindingAsync(cluster, "settings-guard", "[Deny]", """{"namespaceSelector":{"matchLabels":{"guarded":"yes"}}}""");
        await agent.CoreV1.ReplaceNamespacedConfigMapAsync(Settings("trace"), "settings", Namespace, cancellationToken: Token);
        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kafka","labels":{"guarded":"yes"}}}"""));
        await DeniedMessageAsync(() => agent.CoreV1.ReplaceNamespacedConfigMapAsync(Settings("trace"), "settings", Namespace, cancellationToken: Token));

        await PutBindingAsync(cluster, "settings-guard", "[Deny]", """{"objectSelector":{"matchExpressions":[{"key":"tier","operator":"In","values":["gold"]}]}}""");
        await agent.CoreV1.ReplaceNamespacedConfigMapAsync(Settings("trace"), "settings", Namespace, cancellationToken: Token);
        var gold = Settings("trace");
        gold.Metadata.Labels = new Dictionary<string, string> { ["tier"] = "gold" };
        await DeniedMessageAsync(() => agent.CoreV1.ReplaceNamespacedConfigMapAsync(gold, "settings", Namespace, cancellationToken: Token));
    }

    [Fact]
    public async Task Kubectl_applies_a_policy_and_prints_the_refusal_of_one_cel_go_would_not_compile()
    {
        var kubectl = KubectlTool.Find();
        await using var cluster = await FakeCluster.StartAsync();
        var files = Path.GetDirectoryName(cluster.KubeconfigPath)!;
        await File.WriteAllTextAsync(Path.Combine(files, "policy.yaml"), Policy, Token);
        await File.WriteAllTextAsync(Path.Combine(files, "bad.yaml"), Policy.Replace("settings-guard", "bad", StringComparison.Ordinal).Replace("!has(object.metadata.labels)", "!has(object.metadata['labels'])", StringComparison.Ordinal), Token);

        Assert.Equal("validatingadmissionpolicy.admissionregistration.k8s.io/settings-guard serverside-applied", await KubectlTool.RunAsync(kubectl, cluster, "apply", "--server-side", "-f", Path.Combine(files, "policy.yaml")));
        Assert.Equal("settings-guard", await KubectlTool.RunAsync(kubectl, cluster, "get", "validatingadmissionpolicies", "-o", "jsonpath={.items[*].metadata.name}"));

        var refusal = await KubectlTool.FailAsync(kubectl, cluster, "apply", "-f", Path.Combine(files, "bad.yaml"));
        Assert.StartsWith("The ValidatingAdmissionPolicy \"bad\" is invalid: spec.validations[2].expression: Invalid value: \"!has(object.metadata['labels']) || !('locked' in object.metadata.labels)\": compilation failed: ERROR: <input>:1:21: invalid argument to has() macro", refusal, StringComparison.Ordinal);
    }

    private static async Task<(FakeCluster Cluster, k8s.Kubernetes Agent)> StartWithPolicyAsync(string actions = "[Deny]", bool bind = true)
    {
        var (cluster, token) = await Rbac.StartAsync();
        Grant(cluster.Api, "settings", """[{"apiGroups":[""],"resources":["configmaps"],"verbs":["get","list","create","update","patch","delete"]}]""");
        await PutPolicyAsync(cluster, Policy, "settings-guard", bind ? actions : null);
        return (cluster, cluster.ClientFor(token));
    }

    /// <summary>Creates or replaces a policy (and a binding of the same name) through KubernetesClient's typed models, as the admin.</summary>
    private static async Task PutPolicyAsync(FakeCluster cluster, string yaml, string name, string? actions)
    {
        var policy = KubernetesYaml.Deserialize<V1ValidatingAdmissionPolicy>(yaml, strict: true);
        if (cluster.Api.Get(ResourceType.ValidatingAdmissionPolicies, null, name) is { } existing)
        {
            policy.Metadata.ResourceVersion = existing["metadata"]!["resourceVersion"]!.GetValue<string>();
            await cluster.Client.AdmissionregistrationV1.ReplaceValidatingAdmissionPolicyAsync(policy, name, cancellationToken: Token);
        }
        else
        {
            await cluster.Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyAsync(policy, cancellationToken: Token);
        }

        if (actions is not null)
        {
            await PutBindingAsync(cluster, name, actions);
        }
    }

    private static async Task PutBindingAsync(FakeCluster cluster, string policy, string actions, string? matchResources = null)
    {
        cluster.Api.Delete(ResourceType.ValidatingAdmissionPolicyBindings, null, policy);
        var spec = new JsonObject { ["policyName"] = policy, ["validationActions"] = JsonNode.Parse(JsonSerialize(actions)) };
        if (matchResources is not null)
        {
            spec["matchResources"] = JsonNode.Parse(matchResources);
        }

        var binding = KubernetesJson.Deserialize<V1ValidatingAdmissionPolicyBinding>(new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1",
            ["kind"] = "ValidatingAdmissionPolicyBinding",
            ["metadata"] = new JsonObject { ["name"] = policy },
            ["spec"] = spec,
        }.ToJsonString());
        await cluster.Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyBindingAsync(binding, cancellationToken: Token);
    }

    private static string JsonSerialize(string yamlList) =>
        new JsonArray(yamlList.Trim('[', ']').Split(',').Select(a => (JsonNode)a.Trim()).ToArray()).ToJsonString();

    private static string AgentToken(FakeCluster cluster) => cluster.Api.IssueServiceAccountToken(Namespace, Account);

    private static V1ConfigMap Settings(string level) => new()
    {
        Metadata = new V1ObjectMeta { Name = "settings", NamespaceProperty = Namespace },
        Data = new Dictionary<string, string> { ["level"] = level },
    };

    private static async Task<string> DeniedMessageAsync(Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal((HttpStatusCode)422, refused.Response.StatusCode);
        var status = Parse(refused.Response.Content);
        Assert.Equal("Invalid", status["reason"]!.GetValue<string>());
        var message = status["message"]!.GetValue<string>();
        var cause = status["details"]!["causes"]![0]!["message"]!.GetValue<string>();
        Assert.EndsWith(cause, message, StringComparison.Ordinal);
        return cause;
    }
}
