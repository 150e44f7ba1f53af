using System.Net;
using System.Text.Json.Nodes;
using k8s.Autorest;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>RBAC objects for tests, put in place directly, and the checks on a refused call.</summary>
internal static class Rbac
{
    public const string Namespace = "kafka";
    public const string Account = "agent";
    public const string UserName = "system:serviceaccount:kafka:agent";

    /// <summary>A cluster with the namespace "kafka" and a token for its service account "agent", which nothing grants anything yet.</summary>
    public static async Task<(FakeCluster Cluster, string Token)> StartAsync(FakeKubernetesOptions? options = null)
    {
        var cluster = await FakeCluster.StartAsync(options);
        cluster.Api.Put(FakeCluster.Parse($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{Namespace}}}"}}"""));
        cluster.Api.Put(FakeCluster.Parse($$$"""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"{{{Account}}}","namespace":"{{{Namespace}}}"}}"""));
        return (cluster, cluster.Api.IssueServiceAccountToken(Namespace, Account));
    }

    public static void Role(FakeKubernetesApi api, string name, string rules, string @namespace = Namespace) =>
        api.Put(FakeCluster.Parse($$"""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"{{name}}","namespace":"{{@namespace}}"},"rules":{{rules}}}"""));

    public static void ClusterRole(FakeKubernetesApi api, string name, string rules) =>
        api.Put(FakeCluster.Parse($$"""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"{{name}}"},"rules":{{rules}}}"""));

    /// <summary>A RoleBinding of a Role or ClusterRole; by default to the agent's account.</summary>
    public static void RoleBinding(FakeKubernetesApi api, string name, string roleKind, string role, string @namespace = Namespace, string? subjects = null) =>
        api.Put(FakeCluster.Parse($$"""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"{{name}}","namespace":"{{@namespace}}"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"{{roleKind}}","name":"{{role}}"},
             "subjects":{{subjects ?? AgentSubject}}}
            """));

    public static void ClusterRoleBinding(FakeKubernetesApi api, string name, string role, string subjects) =>
        api.Put(FakeCluster.Parse($$"""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"{{name}}"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"{{role}}"},"subjects":{{subjects}}}
            """));

    /// <summary>Binds a new Role with <paramref name="rules"/> to the agent in "kafka".</summary>
    public static void Grant(FakeKubernetesApi api, string name, string rules)
    {
        Role(api, name, rules);
        RoleBinding(api, name, "Role", name);
    }

    public const string AgentSubject = $$"""[{"kind":"ServiceAccount","name":"{{Account}}","namespace":"{{Namespace}}"}]""";

    /// <summary>Runs a call that must be refused with 403 and returns the Status it was refused with.</summary>
    public static async Task<JsonObject> ForbiddenAsync(Func<Task> call)
    {
        var status = FakeCluster.Parse(await ForbiddenBodyAsync(call));
        Assert.Equal(("Status", "Failure", "Forbidden", 403), (status["kind"]!.GetValue<string>(), status["status"]!.GetValue<string>(), status["reason"]!.GetValue<string>(), status["code"]!.GetValue<int>()));
        return status;
    }

    /// <summary>Runs a call that must be refused with 403 and returns the body exactly as sent.</summary>
    public static async Task<string> ForbiddenBodyAsync(Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
        return refused.Response.Content;
    }

    /// <summary>The message of a call that must be refused with 403.</summary>
    public static async Task<string> ForbiddenMessageAsync(Func<Task> call) =>
        (await ForbiddenAsync(call))["message"]!.GetValue<string>();
}
