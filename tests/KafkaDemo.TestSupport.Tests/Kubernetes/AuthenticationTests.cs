using System.Net;
using k8s;
using k8s.Autorest;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.KubectlTool;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>Who may talk to the fake at all: the admin kubeconfig and tokens the fake issued; anyone else gets 401.</summary>
public sealed class AuthenticationTests
{
    private const string UnauthorizedBody = """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""";

    [Fact]
    public async Task A_request_without_a_token_gets_the_real_401_status_even_for_discovery()
    {
        await using var cluster = await StartAsync();

        foreach (var path in (string[])["version", "api", "api/v1/namespaces/default/configmaps"])
        {
            // The client's HttpClient trusts the fake's CA; only its generated operations add the token.
            using var answer = await cluster.Client.HttpClient.GetAsync(new Uri(cluster.Api.BaseAddress, path), Token);

            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            Assert.Equal(UnauthorizedBody, await answer.Content.ReadAsStringAsync(Token));
        }
    }

    [Fact]
    public async Task A_token_the_fake_never_issued_gets_401_through_the_client_and_kubectl()
    {
        await using var cluster = await StartAsync();
        using var stranger = cluster.ClientFor("not-issued");

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => stranger.CoreV1.ListNamespaceAsync(cancellationToken: Token));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.Response.StatusCode);
        Assert.Equal(UnauthorizedBody, refused.Response.Content);
        var error = await FailAsync(Find(), cluster, "--token", "not-issued", "get", "pods");
        // kubectl's discovery meets the 401 first (k8s.io/kubectl pkg/cmd/util/helpers.go StandardErrorMessage).
        Assert.EndsWith("error: You must be logged in to the server (the server has asked for the client to provide credentials)", error, StringComparison.Ordinal);
        Assert.All(cluster.Api.Requests, r => Assert.Equal(401, r.StatusCode));
    }

    [Fact]
    public async Task The_admin_kubeconfig_reaches_the_server_over_https_with_the_fake_CA()
    {
        await using var cluster = await StartAsync();

        Assert.Equal("https", cluster.Api.BaseAddress.Scheme);
        Assert.Contains("certificate-authority-data: ", await File.ReadAllTextAsync(cluster.KubeconfigPath, Token), StringComparison.Ordinal);
        Assert.Equal("default", await RunAsync(Find(), cluster, "get", "namespace", "default", "-o", "jsonpath={.metadata.name}"));
        Assert.NotEmpty((await cluster.Client.CoreV1.ListNamespaceAsync(cancellationToken: Token)).Items);
        Assert.All(cluster.Api.Requests, r => Assert.Equal("system:admin", r.User));
    }
}
