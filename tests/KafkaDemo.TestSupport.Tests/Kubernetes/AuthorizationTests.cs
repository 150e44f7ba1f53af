using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.Rbac;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>
/// RBAC for service accounts, seen through KubernetesClient: what a request is (verb, resource,
/// subresource, name, namespace) and which stored roles and bindings allow it, with the real 403.
/// </summary>
public sealed class AuthorizationTests
{
    [Fact]
    public async Task A_refusal_is_the_real_403_status_field_by_field()
    {
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        using var agent = cluster.ClientFor(token);

        // Named, namespaced, core group: the group is left out of details, the name is in them.
        var named = await ForbiddenBodyAsync(() => agent.CoreV1.ReadNamespacedPodAsync("kafka-0", Namespace, cancellationToken: Token));
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"kafka-0\" is forbidden: User \"system:serviceaccount:kafka:agent\" cannot get resource \"pods\" in API group \"\" in the namespace \"kafka\"","reason":"Forbidden","details":{"name":"kafka-0","kind":"pods"},"code":403}""",
            named);

        // A collection: no name; the verb is list.
        var list = await ForbiddenAsync(() => agent.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: Token));
        Assert.Equal("pods is forbidden: User \"system:serviceaccount:kafka:agent\" cannot list resource \"pods\" in API group \"\" in the namespace \"kafka\"", list["message"]!.GetValue<string>());
        Assert.Equal("""{"kind":"pods"}""", list["details"]!.ToJsonString());

        // A custom resource: the group qualifies the resource and is in details. Authorization comes
        // before routing, so it is refused even though no definition serves kafkas here.
        var patch = new V1Patch("""{"spec":{"kafka":{"replicas":1}}}""", V1Patch.PatchType.MergePatch);
        var custom = await ForbiddenAsync(() => agent.CustomObjects.PatchNamespacedCustomObjectAsync(patch, "kafka.strimzi.io", "v1", Namespace, "kafkas", "kafkademo", cancellationToken: Token));
        Assert.Equal("kafkas.kafka.strimzi.io \"kafkademo\" is forbidden: User \"system:serviceaccount:kafka:agent\" cannot patch resource \"kafkas\" in API group \"kafka.strimzi.io\" in the namespace \"kafka\"", custom["message"]!.GetValue<string>());
        Assert.Equal("""{"name":"kafkademo","group":"kafka.strimzi.io","kind":"kafkas"}""", custom["details"]!.ToJsonString());

        // Cluster scope.
        var definitions = await ForbiddenAsync(() => agent.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: Token));
        Assert.Equal("""customresourcedefinitions.apiextensions.k8s.io is forbidden: User "system:serviceaccount:kafka:agent" cannot list resource "customresourcedefinitions" in API group "apiextensions.k8s.io" at the cluster scope""", definitions["message"]!.GetValue<string>());

        // A namespace object is read in its own namespace (RequestInfo sets Namespace from the path).
        var ns = await ForbiddenAsync(() => agent.CoreV1.ReadNamespaceAsync(Namespace, cancellationToken: Token));
        Assert.Equal("namespaces \"kafka\" is forbidden: User \"system:serviceaccount:kafka:agent\" cannot get resource \"namespaces\" in API group \"\" in the namespace \"kafka\"", ns["message"]!.GetValue<string>());

        // A path outside the API: details are empty.
        using var metrics = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.Api.BaseAddress, "metrics"));
        metrics.Headers.Authorization = new("Bearer", token);
        using var answer = await cluster.Client.HttpClient.SendAsync(metrics, Token);
        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \"system:serviceaccount:kafka:agent\" cannot get path \"/metrics\"","reason":"Forbidden","details":{},"code":403}""",
            await answer.Content.ReadAsStringAsync(Token));
    }

    [Fact]
    public async Task A_role_allows_its_verbs_on_its_resources_in_its_namespace_only()
    {
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"other"}}"""));
        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"kafka-0","namespace":"kafka"},"spec":{"containers":[{"name":"kafka","image":"i"}]}}"""));
        Grant(cluster.Api, "reader", """[{"apiGroups":[""],"resources":["pods","services"],"verbs":["get","list","watch"]}]""");
        using var agent = cluster.ClientFor(token);

        Assert.Single((await agent.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: Token)).Items);
        Assert.Empty((await agent.CoreV1.ListNamespacedServiceAsync(Namespace, cancellationToken: Token)).Items);
        using (var deadline = DeadlineToken())
        {
            // KubernetesClient needs one event: a watch that ends empty throws EndOfStreamException (LineSeparatedHttpContent PeekLineAsync).
            await foreach (var (type, pod) in agent.CoreV1.WatchListNamespacedPodAsync(Namespace, timeoutSeconds: 1, cancellationToken: deadline.Token))
            {
                Assert.Equal((WatchEventType.Added, "kafka-0"), (type, pod.Metadata.Name));
            }
        }

        Assert.Contains("cannot delete resource \"pods\"", await ForbiddenMessageAsync(() => agent.CoreV1.DeleteNamespacedPodAsync("kafka-0", Namespace, cancellationToken: Token)), StringComparison.Ordinal);
        Assert.Contains("cannot deletecollection resource \"pods\"", await ForbiddenMessageAsync(() => agent.CoreV1.DeleteCollectionNamespacedPodAsync(Namespace, cancellationToken: Token)), StringComparison.Ordinal);
        Assert.Contains("cannot list resource \"configmaps\"", await ForbiddenMessageAsync(() => agent.CoreV1.ListNamespacedConfigMapAsync(Namespace, cancellationToken: Token)), StringComparison.Ordinal);
        Assert.Contains("in the namespace \"other\"", await ForbiddenMessageAsync(() => agent.CoreV1.ListNamespacedPodAsync("other", cancellationToken: Token)), StringComparison.Ordinal);
        Assert.Contains("cannot list resource \"pods\" in API group \"\" at the cluster scope", await ForbiddenMessageAsync(() => agent.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: Token)), StringComparison.Ordinal);

        // "pods" does not cover its subresources.
        Assert.Contains("cannot get resource \"pods/log\"", await ForbiddenMessageAsync(() => agent.CoreV1.ReadNamespacedPodLogAsync("kafka-0", Namespace, cancellationToken: Token)), StringComparison.Ordinal);
        Assert.Contains("cannot update resource \"pods/status\"", await ForbiddenMessageAsync(() =>
            agent.CoreV1.ReplaceNamespacedPodStatusAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "kafka-0" } }, "kafka-0", Namespace, cancellationToken: Token)), StringComparison.Ordinal);

        Assert.Equal([200, 200, 200, 403, 403, 403, 403, 403, 403, 403], cluster.Api.Requests.Where(r => r.User == UserName).Select(r => r.StatusCode ?? 0));
    }

    [Fact]
    public async Task Resource_names_limit_gets_and_never_allow_a_list_unless_a_field_selector_names_the_object()
    {
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"kafka"},"data":{"a":"1"}}"""));
        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other","namespace":"kafka"}}"""));
        Grant(cluster.Api, "settings", """[{"apiGroups":[""],"resources":["configmaps"],"resourceNames":["settings"],"verbs":["get","list","watch","update"]}]""");
        using var agent = cluster.ClientFor(token);

        Assert.Equal("1", (await agent.CoreV1.ReadNamespacedConfigMapAsync("settings", Namespace, cancellationToken: Token)).Data["a"]);
        Assert.Contains("configmaps \"other\" is forbidden", await ForbiddenMessageAsync(() => agent.CoreV1.ReadNamespacedConfigMapAsync("other", Namespace, cancellationToken: Token)), StringComparison.Ordinal);
        Assert.StartsWith("configmaps is forbidden", await ForbiddenMessageAsync(() => agent.CoreV1.ListNamespacedConfigMapAsync(Namespace, cancellationToken: Token)), StringComparison.Ordinal);
        Assert.Contains("cannot create resource", await ForbiddenMessageAsync(() =>
            agent.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" } }, Namespace, cancellationToken: Token)), StringComparison.Ordinal);

        // RequestInfo takes the name from an exact metadata.name field selector.
        var selected = await agent.CoreV1.ListNamespacedConfigMapAsync(Namespace, fieldSelector: "metadata.name=settings", cancellationToken: Token);
        Assert.Equal("settings", Assert.Single(selected.Items).Metadata.Name);
    }

    [Fact]
    public async Task Bindings_reach_users_groups_and_accounts_as_the_rbac_authorizer_matches_them()
    {
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        using var agent = cluster.ClientFor(token);
        ClusterRole(cluster.Api, "namespace-reader", """[{"apiGroups":[""],"resources":["namespaces"],"verbs":["list"]}]""");
        ClusterRole(cluster.Api, "secret-reader", """[{"apiGroups":[""],"resources":["secrets"],"verbs":["list"]}]""");
        ClusterRole(cluster.Api, "configmap-reader", """[{"apiGroups":[""],"resources":["configmaps"],"verbs":["list"]}]""");
        ClusterRole(cluster.Api, "event-reader", """[{"apiGroups":[""],"resources":["events"],"verbs":["list"]}]""");

        // A ServiceAccount subject without a namespace matches nobody in a ClusterRoleBinding...
        ClusterRoleBinding(cluster.Api, "no-namespace", "namespace-reader", """[{"kind":"ServiceAccount","name":"agent"}]""");
        await ForbiddenAsync(() => agent.CoreV1.ListNamespaceAsync(cancellationToken: Token));

        // ...and a group of the account's namespace grants cluster-wide.
        ClusterRoleBinding(cluster.Api, "kafka-accounts", "namespace-reader", """[{"kind":"Group","name":"system:serviceaccounts:kafka","apiGroup":"rbac.authorization.k8s.io"}]""");
        Assert.NotEmpty((await agent.CoreV1.ListNamespaceAsync(cancellationToken: Token)).Items);

        // In a RoleBinding the account's namespace defaults to the binding's; a ClusterRole bound there grants there only.
        RoleBinding(cluster.Api, "secrets", "ClusterRole", "secret-reader", subjects: """[{"kind":"ServiceAccount","name":"agent"}]""");
        Assert.Empty((await agent.CoreV1.ListNamespacedSecretAsync(Namespace, cancellationToken: Token)).Items);
        await ForbiddenAsync(() => agent.CoreV1.ListNamespacedSecretAsync("default", cancellationToken: Token));

        // A User subject matches the account's user name; another user's does not.
        RoleBinding(cluster.Api, "by-user", "ClusterRole", "configmap-reader", subjects: $$"""[{"kind":"User","name":"{{UserName}}","apiGroup":"rbac.authorization.k8s.io"}]""");
        Assert.Empty((await agent.CoreV1.ListNamespacedConfigMapAsync(Namespace, cancellationToken: Token)).Items);
        RoleBinding(cluster.Api, "someone-else", "ClusterRole", "event-reader", subjects: """[{"kind":"User","name":"jane","apiGroup":"rbac.authorization.k8s.io"}]""");
        await ForbiddenAsync(() => agent.CoreV1.ListNamespacedEventAsync(Namespace, cancellationToken: Token));
    }

    [Fact]
    public async Task A_binding_to_a_missing_role_adds_the_lookup_error_to_the_refusal()
    {
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        using var agent = cluster.ClientFor(token);
        RoleBinding(cluster.Api, "dangling", "Role", "not-there");

        var message = await ForbiddenMessageAsync(() => agent.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: Token));

        Assert.Equal("""pods is forbidden: User "system:serviceaccount:kafka:agent" cannot list resource "pods" in API group "" in the namespace "kafka": RBAC: role.rbac.authorization.k8s.io "not-there" not found""", message);
        RoleBinding(cluster.Api, "dangling-cluster", "ClusterRole", "not-there-either");
        // Several errors are listed as an aggregate: "[a, b]".
        var both = await ForbiddenMessageAsync(() => agent.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: Token));
        Assert.Contains(": RBAC: [", both, StringComparison.Ordinal);
        Assert.Contains("""clusterrole.rbac.authorization.k8s.io "not-there-either" not found""", both, StringComparison.Ordinal);
        Assert.Contains("""role.rbac.authorization.k8s.io "not-there" not found""", both, StringComparison.Ordinal);
        Assert.EndsWith("]", both, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wildcards_cover_what_the_authorizer_says_and_pods_slash_star_is_no_wildcard()
    {
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        using var agent = cluster.ClientFor(token);
        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"kafka-0","namespace":"kafka"},"spec":{"containers":[{"name":"kafka","image":"i"}]}}"""));
        Grant(cluster.Api, "statuses", """[{"apiGroups":["*"],"resources":["*/status"],"verbs":["get"]},{"apiGroups":[""],"resources":["pods/*"],"verbs":["*"]}]""");

        Assert.Equal("kafka-0", (await agent.CoreV1.ReadNamespacedPodStatusAsync("kafka-0", Namespace, cancellationToken: Token)).Metadata.Name);
        await ForbiddenAsync(() => agent.CoreV1.ReadNamespacedPodAsync("kafka-0", Namespace, cancellationToken: Token));
        await ForbiddenAsync(() => agent.CoreV1.ReadNamespacedPodLogAsync("kafka-0", Namespace, cancellationToken: Token));

        Grant(cluster.Api, "everything", """[{"apiGroups":[""],"resources":["*"],"verbs":["get"]}]""");
        Assert.Equal("kafka-0", (await agent.CoreV1.ReadNamespacedPodAsync("kafka-0", Namespace, cancellationToken: Token)).Metadata.Name);
        // "*" covers subresources: authorized, then answered. The pod has no node, so its log is empty
        // (kubernetes pkg/registry/core/pod/strategy.go LogLocation: no host, no location; the
        // LocationStreamer then answers an empty stream), where "pods/*" alone was refused above.
        await using var log = await agent.CoreV1.ReadNamespacedPodLogAsync("kafka-0", Namespace, cancellationToken: Token);
        using var reader = new StreamReader(log);
        Assert.Equal("", await reader.ReadToEndAsync(Token));
    }

    [Fact]
    public async Task A_server_side_apply_that_creates_needs_create_as_well_as_patch()
    {
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        using var agent = cluster.ClientFor(token);
        Grant(cluster.Api, "patcher", """[{"apiGroups":[""],"resources":["configmaps"],"verbs":["patch"]}]""");
        var apply = new V1Patch("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"kafka"},"data":{"a":"2"}}""", V1Patch.PatchType.ApplyPatch);

        var refused = await ForbiddenAsync(() => agent.CoreV1.PatchNamespacedConfigMapAsync(apply, "settings", Namespace, fieldManager: "agent", cancellationToken: Token));
        Assert.Equal("configmaps \"settings\" is forbidden: User \"system:serviceaccount:kafka:agent\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"kafka\"", refused["message"]!.GetValue<string>());
        Assert.Null(cluster.Api.Get(ResourceType.ConfigMaps, Namespace, "settings"));

        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"kafka"},"data":{"a":"1"}}"""));
        Assert.Equal("2", (await agent.CoreV1.PatchNamespacedConfigMapAsync(apply, "settings", Namespace, fieldManager: "agent", force: true, cancellationToken: Token)).Data["a"]);
    }

    [Fact]
    public async Task Websocket_exec_is_get_on_pods_exec_and_a_refused_upgrade_is_a_403()
    {
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        using var agent = cluster.ClientFor(token);
        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"kafka-0","namespace":"kafka"},"spec":{"containers":[{"name":"kafka","image":"i"}]},"status":{"phase":"Running"}}"""));
        cluster.Api.OnExec(async exec =>
        {
            await exec.Stdout.WriteAsync("hello");
            return 0;
        });
        Grant(cluster.Api, "creator", """[{"apiGroups":[""],"resources":["pods/exec"],"verbs":["create"]}]""");

        // Kubernetes 1.32 authorizes a WebSocket exec (a GET) as get only (the create check came in 1.35).
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => agent.NamespacedPodExecAsync("kafka-0", Namespace, "kafka", ["true"], false, (_, _, _) => Task.CompletedTask, Token));
        Assert.Contains("'403'", refused.Message, StringComparison.Ordinal);
        var upgrade = cluster.Api.Requests.Last(r => r.Path.EndsWith("/exec", StringComparison.Ordinal));
        Assert.Equal((UserName, 403), (upgrade.User, upgrade.StatusCode));
        Assert.Empty(cluster.Api.Execs);

        // The same URL without the upgrade (what a client retries with) gets the Status body.
        var url = new Uri(cluster.Api.BaseAddress, "api/v1/namespaces/kafka/pods/kafka-0/exec?command=true&container=kafka&stdout=1");
        var body = await PlainGetAsync(cluster, url, token, HttpStatusCode.Forbidden);
        Assert.Equal("pods \"kafka-0\" is forbidden: User \"system:serviceaccount:kafka:agent\" cannot get resource \"pods/exec\" in API group \"\" in the namespace \"kafka\"", body["message"]!.GetValue<string>());
        Assert.Equal("""{"name":"kafka-0","kind":"pods"}""", body["details"]!.ToJsonString());

        Grant(cluster.Api, "execer", """[{"apiGroups":[""],"resources":["pods/exec"],"verbs":["get"]}]""");
        var output = "";
        Assert.Equal(0, await agent.NamespacedPodExecAsync("kafka-0", Namespace, "kafka", ["true"], false, async (_, stdout, _) => output = await new StreamReader(stdout).ReadToEndAsync(Token), Token));
        Assert.Equal("hello", output);
        Assert.Equal("Upgrade request required", (await PlainGetAsync(cluster, url, token, HttpStatusCode.BadRequest))["message"]!.GetValue<string>());
    }

    private static async Task<JsonObject> PlainGetAsync(FakeCluster cluster, Uri url, string token, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new("Bearer", token);
        using var answer = await cluster.Client.HttpClient.SendAsync(request, Token);
        Assert.Equal(expected, answer.StatusCode);
        return Parse(await answer.Content.ReadAsStringAsync(Token));
    }
}
