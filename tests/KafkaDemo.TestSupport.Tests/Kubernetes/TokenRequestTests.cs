using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.Extensions.Time.Testing;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.Rbac;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>The TokenRequest API (serviceaccounts/token) through KubernetesClient, with expiry on a fake clock.</summary>
public sealed class TokenRequestTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_requested_token_authenticates_as_the_account_until_a_minute_after_it_expires()
    {
        var clock = new FakeTimeProvider(Start);
        var (cluster, _) = await Rbac.StartAsync(new FakeKubernetesOptions { TimeProvider = clock });
        await using var _ = cluster;
        Grant(cluster.Api, "pod-reader", """[{"apiGroups":[""],"resources":["pods"],"verbs":["list"]}]""");

        var issued = await cluster.Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { Audiences = ["kafkademo"], ExpirationSeconds = 600 } }, Account, Namespace, cancellationToken: Token);

        Assert.Equal(["kafkademo"], issued.Spec.Audiences);
        Assert.Equal(600, issued.Spec.ExpirationSeconds);
        Assert.Equal(Start.AddSeconds(600).UtcDateTime, issued.Status.ExpirationTimestamp);
        Assert.Equal((Account, Namespace), (issued.Metadata.Name, issued.Metadata.NamespaceProperty));
        Assert.Equal(201, cluster.Api.Requests.Single(r => r.Path.EndsWith("/token", StringComparison.Ordinal)).StatusCode);

        using var agent = cluster.ClientFor(issued.Status.Token);
        await agent.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: Token);
        Assert.Equal(UserName, cluster.Api.Requests[^1].User);

        // The service account authenticator enforces the expiry with go-jose's one-minute leeway.
        clock.Advance(TimeSpan.FromSeconds(600 + 59));
        await agent.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: Token);
        clock.Advance(TimeSpan.FromSeconds(2));
        var expired = await Assert.ThrowsAsync<HttpOperationException>(() => agent.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: Token));
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Response.StatusCode);
        Assert.Null(cluster.Api.Requests[^1].Identity);
    }

    [Fact]
    public async Task The_defaults_are_an_hour_and_the_servers_audiences_and_a_deleted_account_takes_its_tokens()
    {
        var (cluster, _) = await Rbac.StartAsync();
        await using var _ = cluster;
        Grant(cluster.Api, "pod-reader", """[{"apiGroups":[""],"resources":["pods"],"verbs":["list"]}]""");

        var issued = await cluster.Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest(), Account, Namespace, cancellationToken: Token);

        Assert.Equal(3600, issued.Spec.ExpirationSeconds);
        Assert.Equal(["https://kubernetes.default.svc.cluster.local", "k3s"], issued.Spec.Audiences);
        using var agent = cluster.ClientFor(issued.Status.Token);
        await agent.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: Token);

        // The authenticator looks the account up by name and uid: a recreated account is another one.
        Assert.True(cluster.Api.Delete(ResourceType.ServiceAccounts, Namespace, Account));
        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"agent","namespace":"kafka"}}"""));
        var revoked = await Assert.ThrowsAsync<HttpOperationException>(() => agent.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: Token));
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.Response.StatusCode);
    }

    [Fact]
    public async Task A_token_request_is_refused_as_the_registry_refuses_it()
    {
        var (cluster, _) = await Rbac.StartAsync();
        await using var _ = cluster;

        var tooShort = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 60 } }, Account, Namespace, cancellationToken: Token));
        Assert.Equal((HttpStatusCode)422, tooShort.Response.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes","reason":"Invalid","details":{"group":"authentication.k8s.io","kind":"TokenRequest","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: 60: may not specify a duration less than 10 minutes","field":"spec.expirationSeconds"}]},"code":422}""",
            tooShort.Response.Content);

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest(), "ghost", Namespace, cancellationToken: Token));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Equal("serviceaccounts \"ghost\" not found", Parse(missing.Response.Content)["message"]!.GetValue<string>());

        var otherPod = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { BoundObjectRef = new V1BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = "absent" } } }, Account, Namespace, cancellationToken: Token));
        Assert.Equal(HttpStatusCode.NotFound, otherPod.Response.StatusCode);
    }

    [Fact]
    public async Task Requesting_a_token_needs_create_on_serviceaccounts_token_for_that_account()
    {
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"other","namespace":"kafka"}}"""));
        using var agent = cluster.ClientFor(token);

        var refused = await ForbiddenAsync(() => agent.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest(), Account, Namespace, cancellationToken: Token));
        Assert.Equal("serviceaccounts \"agent\" is forbidden: User \"system:serviceaccount:kafka:agent\" cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"kafka\"", refused["message"]!.GetValue<string>());
        Assert.Equal("""{"name":"agent","kind":"serviceaccounts"}""", refused["details"]!.ToJsonString());

        Grant(cluster.Api, "own-token", """[{"apiGroups":[""],"resources":["serviceaccounts/token"],"resourceNames":["agent"],"verbs":["create"]}]""");
        Assert.NotEmpty((await agent.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest(), Account, Namespace, cancellationToken: Token)).Status.Token);
        await ForbiddenAsync(() => agent.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest(), "other", Namespace, cancellationToken: Token));
    }

    [Fact]
    public async Task A_token_bound_to_a_pod_dies_with_the_pod()
    {
        var (cluster, _) = await Rbac.StartAsync();
        await using var _ = cluster;
        Grant(cluster.Api, "pod-reader", """[{"apiGroups":[""],"resources":["pods"],"verbs":["list"]}]""");
        cluster.Api.Put(Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"agent-0","namespace":"kafka"},"spec":{"serviceAccountName":"agent","containers":[{"name":"c","image":"i"}]}}"""));
        var bound = new V1BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = "agent-0" };

        var issued = await cluster.Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { BoundObjectRef = bound } }, Account, Namespace, cancellationToken: Token);
        using var agent = cluster.ClientFor(issued.Status.Token);
        await agent.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: Token);
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync("agent-0", Namespace, cancellationToken: Token);

        var revoked = await Assert.ThrowsAsync<HttpOperationException>(() => agent.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: Token));
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.Response.StatusCode);
        Assert.Equal("agent-0", issued.Spec.BoundObjectRef.Name);
    }
}
