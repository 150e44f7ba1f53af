extern alias overseer;

using k8s;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.TestSupport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using overseer::KafkaDemo.Overseer.Agent;
using overseer::KafkaDemo.Overseer.KubernetesApi;
using overseer::KafkaDemo.Overseer.StrimziWatch;

namespace KafkaDemo.IntegrationTests.Agent;

/// <summary>
/// The Overseer in its own pod (deploy/overseer on the fake cluster): with
/// <c>Overseer:Cluster:InCluster</c> it reaches the API server from the container's
/// <c>KUBERNETES_SERVICE_*</c> variables and service account token volume, as the kubelet gave
/// them, and works as its least-privilege service account: the watch, a reset and an agent round.
/// </summary>
public sealed class InClusterTests
{
    private const string OverseerUser = "system:serviceaccount:kafkademo-overseer:kafkademo-overseer";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task In_its_pod_the_Overseer_watches_Kafka_and_runs_a_round_as_its_own_service_account()
    {
        await using var cluster = await AgentCluster.StartInPodAsync(time: null);
        Assert.Equal(OverseerPod.Namespace, cluster.OverseerContainer!.ServiceAccount.Namespace);
        var watcher = cluster.Get<IEnumerable<IHostedService>>().OfType<KafkaResourceWatcher>().Single();
        await watcher.StartAsync(Token);
        try
        {
            await Eventually.TrueAsync(() => cluster.Get<KafkaResourceState>().Seen, Deadline, "The in-cluster Overseer did not read the Kafka resource.");
            await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);
        }
        finally
        {
            await watcher.StopAsync(Token);
        }

        var requests = cluster.Api.Requests.Where(r => r.User == OverseerUser).ToList();
        Assert.Contains(requests, r => r.Path == $"/apis/kafka.strimzi.io/v1/namespaces/{StrimziNames.Namespace}/kafkas" && r.QueryValues("watch").Any(v => v is "true" or "1"));
        Assert.Contains(requests, r => r.Path.EndsWith("/exec", StringComparison.Ordinal));
        Assert.DoesNotContain(requests, r => r.StatusCode is 401 or 403);
        Assert.Equal(OverseerUser, cluster.OverseerContainer.ServiceAccount.UserName);
    }

    [Fact]
    public async Task A_rotated_token_is_used_once_a_minute_passed_on_the_Overseers_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await AgentCluster.StartInPodAsync(time);
        var connection = cluster.Get<ClusterConnection>();

        Assert.Equal(OverseerUser, await CallerAsync(cluster, connection));

        // The kubelet writes a new token into the volume. Another account's, so the change is seen.
        var rotated = cluster.Api.IssueServiceAccountToken(OverseerPod.Namespace, "default");
        await File.WriteAllTextAsync(Path.Combine(cluster.ServiceAccountFolder, "token"), rotated, Token);
        time.Advance(ServiceAccountToken.RefreshInterval - TimeSpan.FromSeconds(1));
        Assert.Equal(OverseerUser, await CallerAsync(cluster, connection));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal($"system:serviceaccount:{OverseerPod.Namespace}:default", await CallerAsync(cluster, connection));
    }

    [Fact]
    public async Task A_token_file_that_cannot_be_read_keeps_the_token_read_before()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await AgentCluster.StartInPodAsync(time);
        var connection = cluster.Get<ClusterConnection>();
        Assert.Equal(OverseerUser, await CallerAsync(cluster, connection));

        File.Delete(Path.Combine(cluster.ServiceAccountFolder, "token"));
        time.Advance(ServiceAccountToken.RefreshInterval);
        Assert.Equal(OverseerUser, await CallerAsync(cluster, connection));
    }

    [Fact]
    public async Task A_changed_CA_bundle_replaces_the_client_once_a_minute_passed_on_the_Overseers_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await AgentCluster.StartInPodAsync(time);
        var connection = cluster.Get<ClusterConnection>();
        var first = connection.Current!;
        Assert.Equal(OverseerUser, await CallerAsync(cluster, connection));

        // The kubelet publishes a bundle with only a CA that did not sign the API server's certificate.
        var bundle = Path.Combine(cluster.ServiceAccountFolder, "ca.crt");
        var original = await File.ReadAllTextAsync(bundle, Token);
        var other = AnotherAuthorityPem();
        await File.WriteAllTextAsync(bundle, other, Token);
        time.Advance(ServiceAccountToken.RefreshInterval - TimeSpan.FromSeconds(1));
        Assert.Equal(OverseerUser, await CallerAsync(cluster, connection));
        Assert.False(first.Replaced.IsCancellationRequested, "The client was replaced before a minute passed.");

        // Once read, the server's certificate is no longer trusted, and a watch on the old client is told to end.
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => CallerAsync(cluster, connection));
        Assert.True(first.Replaced.IsCancellationRequested, "The client built from the old bundle was not marked replaced.");

        // A rotation's overlap (both CAs) is trusted again, and a bundle that is not PEM keeps the client.
        await File.WriteAllTextAsync(bundle, other + "\n" + original, Token);
        time.Advance(ServiceAccountToken.RefreshInterval);
        Assert.Equal(OverseerUser, await CallerAsync(cluster, connection));
        var overlap = connection.Current!;

        await File.WriteAllTextAsync(bundle, "not a certificate", Token);
        time.Advance(ServiceAccountToken.RefreshInterval);
        Assert.Equal(OverseerUser, await CallerAsync(cluster, connection));
        Assert.Same(overlap.Client, connection.Current!.Client);
    }

    /// <summary>A self-signed CA that signed nothing the fake serves.</summary>
    private static string AnotherAuthorityPem()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=kafkademo-rotated-ca", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return authority.ExportCertificatePem();
    }

    [Fact]
    public void The_start_up_check_names_the_keys_and_the_kubelets_variables()
    {
        var folder = Directory.CreateTempSubdirectory("kafkademo-incluster-").FullName;
        try
        {
            var options = new ClusterOptions { InCluster = true, Kubeconfig = "/somewhere/kubeconfig", ServiceAccountPath = folder, ApiServerPort = "https" };
            var failures = new ClusterOptionsValidator().Validate(null, options).Failures!.ToList();
            Assert.Equal(
                [
                    "Overseer:Cluster:InCluster is true and Overseer:Cluster:Kubeconfig is set; use one of them.",
                    $"Overseer:Cluster:InCluster: '{Path.Combine(folder, "token")}' does not exist (Overseer:Cluster:ServiceAccountPath is '{folder}'). Is the service account token mounted (automountServiceAccountToken)?",
                    $"Overseer:Cluster:InCluster: '{Path.Combine(folder, "ca.crt")}' does not exist (Overseer:Cluster:ServiceAccountPath is '{folder}'). Is the service account token mounted (automountServiceAccountToken)?",
                    "Overseer:Cluster:ApiServerHost is not set and neither is KUBERNETES_SERVICE_HOST, which the kubelet sets in every container (Overseer:Cluster:InCluster is true).",
                    "Overseer:Cluster:ApiServerPort must be a port from 1 to 65535 (KUBERNETES_SERVICE_PORT unless set); it is 'https' (Overseer:Cluster:InCluster is true).",
                ],
                failures);

            File.WriteAllText(Path.Combine(folder, "token"), "t");
            File.WriteAllText(Path.Combine(folder, "ca.crt"), "c");
            var valid = new ClusterOptions { InCluster = true, ServiceAccountPath = folder, ApiServerHost = "10.43.0.1", ApiServerPort = "443" };
            Assert.True(new ClusterOptionsValidator().Validate(null, valid).Succeeded);
            Assert.Equal(new Uri("https://10.43.0.1:443/"), valid.ApiServer);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Who the API server took the Overseer's next call for (it may read the Kafka resource; the "default" account may not, which still names it).</summary>
    private static async Task<string?> CallerAsync(AgentCluster cluster, ClusterConnection connection)
    {
        var marker = $"kafkademo-incluster-{Guid.NewGuid():N}";
        try
        {
            await connection.Client!.CustomObjects.GetNamespacedCustomObjectAsync("kafka.strimzi.io", "v1", StrimziNames.Namespace, "kafkas", marker, cancellationToken: Token);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Forbidden)
        {
            // Not there (the Overseer), or not allowed (the default account): either way the request was authenticated.
        }

        return cluster.Api.Requests.Single(r => r.Path.EndsWith("/" + marker, StringComparison.Ordinal)).User;
    }
}
