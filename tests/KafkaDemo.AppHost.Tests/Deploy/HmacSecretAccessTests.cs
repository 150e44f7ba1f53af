using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using KafkaDemo.AppHost.Agent;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.OverseerIdentity;
using KafkaDemo.DeploymentContract.Load;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.AppHost.Tests.Deploy;

/// <summary>
/// Issue 17: the HMAC secret exists only in the load's namespace, and the fake's RBAC (the real
/// authorizer's rules) denies it to the agent's and the Overseer's service accounts, with k3d/agent,
/// k3d/overseer and deploy/load applied as the AppHost applies them (server-side, field manager kafkademo).
/// </summary>
public sealed class HmacSecretAccessTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_hmac_secret_is_only_in_the_load_namespace_and_neither_the_agent_nor_the_overseer_may_get_list_or_watch_it()
    {
        await using var fake = await FakeKubernetesApi.StartAsync(cancellationToken: Token);
        using var api = new KubernetesApi(fake.CreateClient());
        var agentObjects = AgentManifests.Render("kafkademo-vibectl:test", configuredAt: null);
        var overseerObjects = OverseerManifests.Files();
        var loadObjects = DeployManifests.Kustomize(DeployManifests.Load);

        // No file holds a Secret: the AppHost makes them from its parameters.
        Assert.DoesNotContain(agentObjects.Concat(overseerObjects).Concat(loadObjects), o => (string?)o["kind"] == "Secret");

        // The agent's Role and the Overseer's bindings live in "kafka", which k3d/kafka makes.
        await api.ApplyAsync(JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kafka"}}""")!.AsObject(), Token);
        foreach (var item in agentObjects.Concat(overseerObjects).Concat(loadObjects))
        {
            await api.ApplyAsync(item, Token);
        }

        await api.ApplyAsync(AgentManifests.Secret("sk-ant-kafkademo-test-key"), Token);
        foreach (var (name, key) in new[] { (LoadDeployment.HmacSecretName, LoadDeployment.HmacSecretKey), (LoadDeployment.ControlSecretName, LoadDeployment.ControlSecretKey) })
        {
            await api.ApplyAsync(
                new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Secret",
                    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = LoadDeployment.Namespace },
                    ["stringData"] = new JsonObject { [key] = "test-secret-value" },
                },
                Token);
        }

        var secrets = await api.Client.CoreV1.ListSecretForAllNamespacesAsync(cancellationToken: Token);
        Assert.Equal([LoadDeployment.Namespace], secrets.Items.Where(s => s.Metadata.Name == LoadDeployment.HmacSecretName).Select(s => s.Metadata.NamespaceProperty));

        var agentAccount = agentObjects.Single(o => (string?)o["kind"] == "ServiceAccount");
        var identities = new[]
        {
            ((string)agentAccount["metadata"]!["namespace"]!, (string)agentAccount["metadata"]!["name"]!, "kafka"),
            (OverseerManifests.Namespace, OverseerManifests.ServiceAccount, AgentManifests.Namespace),
        };
        foreach (var (ns, account, podsNamespace) in identities)
        {
            using var client = new k8s.Kubernetes(fake.ClientConfigurationFor(fake.IssueServiceAccountToken(ns, account)));
            var user = $"system:serviceaccount:{ns}:{account}";

            // The identity works: what its Roles grant, it gets.
            Assert.NotNull(await client.CoreV1.ListNamespacedPodAsync(podsNamespace, cancellationToken: Token));

            var load = LoadDeployment.Namespace;
            Assert.Equal(
                $"secrets \"{LoadDeployment.HmacSecretName}\" is forbidden: User \"{user}\" cannot get resource \"secrets\" in API group \"\" in the namespace \"{load}\"",
                await ForbiddenAsync(() => client.CoreV1.ReadNamespacedSecretAsync(LoadDeployment.HmacSecretName, load, cancellationToken: Token)));
            Assert.Equal(
                $"secrets is forbidden: User \"{user}\" cannot list resource \"secrets\" in API group \"\" in the namespace \"{load}\"",
                await ForbiddenAsync(() => client.CoreV1.ListNamespacedSecretAsync(load, cancellationToken: Token)));
            Assert.Equal(
                $"secrets \"{LoadDeployment.HmacSecretName}\" is forbidden: User \"{user}\" cannot list resource \"secrets\" in API group \"\" in the namespace \"{load}\"",
                await ForbiddenAsync(() => client.CoreV1.ListNamespacedSecretAsync(load, fieldSelector: $"metadata.name={LoadDeployment.HmacSecretName}", cancellationToken: Token)));
            Assert.Equal(
                $"secrets is forbidden: User \"{user}\" cannot watch resource \"secrets\" in API group \"\" in the namespace \"{load}\"",
                await ForbiddenAsync(async () =>
                {
                    await foreach (var _ in client.CoreV1.WatchListNamespacedSecretAsync(load, cancellationToken: Token))
                    {
                        Assert.Fail($"{user} was shown a secret of {load}.");
                    }
                }));
            Assert.Equal(
                $"secrets is forbidden: User \"{user}\" cannot list resource \"secrets\" in API group \"\" at the cluster scope",
                await ForbiddenAsync(() => client.CoreV1.ListSecretForAllNamespacesAsync(cancellationToken: Token)));
        }
    }

    /// <summary>Runs a call that must be refused with 403 and returns the refusal's message.</summary>
    private static async Task<string> ForbiddenAsync(Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
        return (string)JsonNode.Parse(refused.Response.Content)!["message"]!;
    }
}
