using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.Rbac;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>
/// A policy in the style the project's notes recommend for the agent's Kafka (an allow-list of config keys
/// with bounds, everything else in spec and metadata unchanged), on a custom resource, judged for the
/// agent's patches: it compiles as the API server would accept it and admits and denies as cel-go would.
/// </summary>
public sealed class KafkaPolicyTests
{
    private const string Policy = """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: kafka-tuning}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
            - {apiGroups: ["kafka.strimzi.io"], apiVersions: ["*"], operations: ["UPDATE"], resources: ["kafkas"]}
          matchConditions:
          - name: agent
            expression: "request.userInfo.username == 'system:serviceaccount:kafka:agent'"
          variables:
          - name: newConfig
            expression: "'config' in object.spec.kafka ? object.spec.kafka.config : {}"
          - name: oldConfig
            expression: "'config' in oldObject.spec.kafka ? oldObject.spec.kafka.config : {}"
          - name: bounds
            expression: "{'num.io.threads': [1, 16], 'num.network.threads': [1, 8], 'queued.max.requests': [100, 2000]}"
          validations:
          - expression: >-
              variables.newConfig.all(k,
                (k in variables.oldConfig && variables.newConfig[k] == variables.oldConfig[k]) ||
                (k in variables.bounds &&
                 (type(variables.newConfig[k]) == int ||
                  (type(variables.newConfig[k]) == string && variables.newConfig[k].matches('^[0-9]{1,9}$'))) &&
                 int(variables.newConfig[k]) >= variables.bounds[k][0] &&
                 int(variables.newConfig[k]) <= variables.bounds[k][1]))
            messageExpression: >-
              'spec.kafka.config: only ' + string(int(size(variables.bounds))) + ' keys may change, within bounds'
          - expression: >-
              object.spec.kafka.all(k, k == 'config' || (k in oldObject.spec.kafka && object.spec.kafka[k] == oldObject.spec.kafka[k])) &&
              oldObject.spec.kafka.all(k, k == 'config' || k in object.spec.kafka)
            message: "only spec.kafka.config may change"
          - expression: >-
              ('labels' in object.metadata ? object.metadata.labels : {}) == ('labels' in oldObject.metadata ? oldObject.metadata.labels : {})
            message: "labels may not change"
        """;

    [Theory]
    [InlineData("""{"spec":{"kafka":{"config":{"num.io.threads":4}}}}""", null)]
    [InlineData("""{"spec":{"kafka":{"config":{"num.io.threads":"8"}}}}""", null)]
    [InlineData("""{"spec":{"kafka":{"config":{"num.io.threads":17}}}}""", "spec.kafka.config: only 3 keys may change, within bounds")]
    [InlineData("""{"spec":{"kafka":{"config":{"num.io.threads":"x"}}}}""", "spec.kafka.config: only 3 keys may change, within bounds")]
    [InlineData("""{"spec":{"kafka":{"config":{"log.retention.ms":1000}}}}""", "spec.kafka.config: only 3 keys may change, within bounds")]
    [InlineData("""{"spec":{"kafka":{"replicas":1}}}""", "only spec.kafka.config may change")]
    [InlineData("""{"spec":{"kafka":{"listeners":[{"name":"plain","port":9093,"type":"internal","tls":false}]}}}""", "only spec.kafka.config may change")]
    [InlineData("""{"metadata":{"labels":{"owner":"agent"}}}""", "labels may not change")]
    public async Task The_agents_patches_are_judged_by_the_policys_own_cel(string patch, string? denial)
    {
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "Kafka", "kafkas");
        await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("kafkademo", Namespace), "kafkademo-apphost");
        Grant(cluster.Api, "tuner", """[{"apiGroups":["kafka.strimzi.io"],"resources":["kafkas"],"verbs":["get","patch"]}]""");
        await cluster.Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyAsync(KubernetesYaml.Deserialize<V1ValidatingAdmissionPolicy>(Policy, strict: true), cancellationToken: Token);
        await cluster.Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyBindingAsync(
            new V1ValidatingAdmissionPolicyBinding { Metadata = new V1ObjectMeta { Name = "kafka-tuning" }, Spec = new V1ValidatingAdmissionPolicyBindingSpec { PolicyName = "kafka-tuning", ValidationActions = ["Deny", "Audit"] } },
            cancellationToken: Token);
        using var agent = cluster.ClientFor(token);

        var attempt = () => agent.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), Strimzi.Group, Strimzi.Version, Namespace, "kafkas", "kafkademo", cancellationToken: Token);

        if (denial is null)
        {
            await attempt();
            Assert.Equal(
                Parse(patch)["spec"]!["kafka"]!["config"]!["num.io.threads"]!.ToJsonString(),
                cluster.Api.Get(Strimzi.Kafkas, Namespace, "kafkademo")!["spec"]!["kafka"]!["config"]!["num.io.threads"]!.ToJsonString());
            return;
        }

        var refused = await Assert.ThrowsAsync<HttpOperationException>(attempt);
        Assert.Equal((HttpStatusCode)422, refused.Response.StatusCode);
        Assert.Equal(
            $"kafkas.kafka.strimzi.io \"kafkademo\" is forbidden: ValidatingAdmissionPolicy 'kafka-tuning' with binding 'kafka-tuning' denied request: {denial}",
            Parse(refused.Response.Content)["message"]!.GetValue<string>());
        Assert.Contains(denial, cluster.Api.Requests[^1].AuditAnnotations["validation.policy.admission.k8s.io/validation_failure"], StringComparison.Ordinal);

        // The policy judges the agent only: the AppHost's own apply is never refused by it.
        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), Strimzi.Group, Strimzi.Version, Namespace, "kafkas", "kafkademo", cancellationToken: Token);
    }
}
