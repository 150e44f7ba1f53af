using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Agent;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.OverseerIdentity;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Strimzi;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using k8s;
using k8s.Models;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// The Overseer's own identity: k3d/overseer grants exactly the calls the Overseer makes, and the
/// AppHost gives it a TokenRequest token in a kubeconfig of its own (mode 0600), renewed before it expires.
/// </summary>
public sealed class OverseerIdentityTests
{
    /// <summary>
    /// Every call the Overseer makes through KubernetesClient, as the authorizer sees it (namespace,
    /// API group, resource[/subresource], verb, name), and where: what the Roles must grant, and all
    /// they may grant.
    /// </summary>
    public static readonly (string Namespace, string Group, string Resource, string Verb, string? Name, string Call)[] Calls =
    [
        ("kafka", "kafka.strimzi.io", "kafkas", "get", "kafkademo", "KafkaResourceWatcher.GetAsync, BrokerConfigPresets.ApplyAsync: GetNamespacedCustomObjectAsync"),
        ("kafka", "kafka.strimzi.io", "kafkas", "watch", "kafkademo", "KafkaResourceWatcher.FollowAsync: WatchListNamespacedCustomObjectAsync, fieldSelector metadata.name"),
        ("kafka", "kafka.strimzi.io", "kafkas", "patch", "kafkademo", "BrokerConfigPresets.ApplyAsync: PatchNamespacedCustomObjectAsync, merge patch"),
        ("kafka", "kafka.strimzi.io", "kafkanodepools", "get", "dual", "KafkaResourceWatcher.GetAsync"),
        ("kafka", "kafka.strimzi.io", "kafkanodepools", "watch", "dual", "KafkaResourceWatcher.FollowAsync, fieldSelector metadata.name"),
        ("kafka", "kafka.strimzi.io", "kafkatopics", "list", null, "KafkaResourceWatcher.ReadAsync: ListNamespacedCustomObjectAsync"),
        ("kafka", "kafka.strimzi.io", "kafkatopics", "watch", null, "KafkaResourceWatcher.FollowAsync"),
        ("kafka", "", "pods", "list", null, "KafkaResourceWatcher.CountBrokersAsync, BrokerMetricsReader: ListNamespacedPodAsync by label"),
        ("kafka", "", "pods/proxy", "get", "kafkademo-dual-0:9404", "BrokerMetricsReader: ConnectGetNamespacedPodProxyWithPathAsync .../pods/<pod>:9404/proxy/metrics"),
        ("kafkademo-agent", "apps", "deployments", "get", "vibectl", "AgentLoop: ReadNamespacedDeploymentAsync"),
        ("kafkademo-agent", "", "pods", "list", null, "PodExecChannel: ListNamespacedPodAsync by label"),
        ("kafkademo-agent", "", "pods/exec", "get", "vibectl-7d9f-abcde", "PodExecChannel: WebSocketNamespacedPodExecAsync (a GET with Upgrade; 1.32 authorizes it as get)"),
    ];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void The_roles_grant_every_call_the_Overseer_makes_and_nothing_else()
    {
        var objects = OverseerManifests.Files();
        var roles = objects.Where(o => (string?)o["kind"] == "Role").ToList();
        var grants = roles.SelectMany(role => role["rules"]!.AsArray().SelectMany(rule =>
            from g in Strings(rule!["apiGroups"])
            from r in Strings(rule["resources"])
            from v in Strings(rule["verbs"])
            select (Namespace: (string)role["metadata"]!["namespace"]!, Group: g, Resource: r, Verb: v, Names: Strings(rule["resourceNames"]), NonResource: rule["nonResourceURLs"]))).ToList();

        Assert.All(grants, g => Assert.Null(g.NonResource));
        Assert.All(grants, g => Assert.DoesNotContain("*", new[] { g.Group, g.Resource, g.Verb }));
        foreach (var call in Calls)
        {
            Assert.True(grants.Any(g => g.Namespace == call.Namespace && g.Group == call.Group && g.Resource == call.Resource && g.Verb == call.Verb
                && (g.Names.Count == 0 || g.Names.Contains(call.Name!))), $"Nothing grants {call.Verb} {call.Resource} in {call.Namespace} ({call.Call}).");
        }

        foreach (var grant in grants)
        {
            Assert.True(Calls.Any(c => c.Namespace == grant.Namespace && c.Group == grant.Group && c.Resource == grant.Resource && c.Verb == grant.Verb),
                $"The Role in {grant.Namespace} grants {grant.Verb} on {grant.Group}/{grant.Resource}, which the Overseer never does.");
        }

        // The only writes are named: the Kafka resource, and nothing else is written at all.
        Assert.Equal([("patch", "kafkas", "kafkademo")], grants.Where(g => g.Verb is not ("get" or "list" or "watch")).Select(g => (g.Verb, g.Resource, string.Join(",", g.Names))));
        Assert.DoesNotContain(grants, g => g.Resource.StartsWith("secrets", StringComparison.Ordinal));
        Assert.DoesNotContain(objects, o => (string?)o["kind"] is "ClusterRole" or "ClusterRoleBinding");
    }

    [Fact]
    public void The_names_and_namespaces_in_the_roles_are_the_ones_the_AppHost_deploys()
    {
        var objects = OverseerManifests.Files();
        var roles = objects.Where(o => (string?)o["kind"] == "Role").ToDictionary(o => (string)o["metadata"]!["namespace"]!);

        Assert.Equal([K3dSettings.Namespace, AgentManifests.Namespace], roles.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([StrimziNames.KafkaName], roles[K3dSettings.Namespace]["rules"]!.AsArray().SelectMany(r => Strings(r!["resourceNames"])));
        Assert.Equal([AgentManifests.DeploymentName], roles[AgentManifests.Namespace]["rules"]!.AsArray().SelectMany(r => Strings(r!["resourceNames"])));
        Assert.Contains(Calls, c => c.Resource == "kafkanodepools" && c.Name == StrimziNames.NodePoolName);
    }

    [Fact]
    public void Each_binding_gives_its_namespaces_role_to_the_Overseers_service_account_only()
    {
        var objects = OverseerManifests.Files();
        var account = Assert.Single(objects, o => (string?)o["kind"] == "ServiceAccount");
        Assert.Equal(OverseerManifests.ServiceAccount, (string?)account["metadata"]!["name"]);
        Assert.Equal(OverseerManifests.Namespace, (string?)account["metadata"]!["namespace"]);
        Assert.Equal("system:serviceaccount:kafkademo-overseer:kafkademo-overseer", OverseerManifests.UserName);

        var bindings = objects.Where(o => (string?)o["kind"] == "RoleBinding").ToList();
        Assert.Equal(2, bindings.Count);
        foreach (var binding in bindings)
        {
            var role = Assert.Single(objects, o => (string?)o["kind"] == "Role" && (string?)o["metadata"]!["namespace"] == (string?)binding["metadata"]!["namespace"]);
            Assert.Equal("Role", (string?)binding["roleRef"]!["kind"]);
            Assert.Equal((string?)role["metadata"]!["name"], (string?)binding["roleRef"]!["name"]);
            var subject = Assert.Single(binding["subjects"]!.AsArray())!;
            Assert.Equal(("ServiceAccount", OverseerManifests.ServiceAccount, OverseerManifests.Namespace),
                ((string?)subject["kind"], (string?)subject["name"], (string?)subject["namespace"]));
        }
    }

    [Fact]
    public void Every_object_round_trips_through_KubernetesClient_models()
    {
        foreach (var item in OverseerManifests.Files())
        {
            switch ((string?)item["kind"])
            {
                case "Namespace": ManifestTests.AssertRoundTrips<V1Namespace>(item); break;
                case "ServiceAccount": ManifestTests.AssertRoundTrips<V1ServiceAccount>(item); break;
                case "Role": ManifestTests.AssertRoundTrips<V1Role>(item); break;
                case "RoleBinding": ManifestTests.AssertRoundTrips<V1RoleBinding>(item); break;
                default: Assert.Fail($"Unexpected {item["kind"]} among the Overseer's objects."); break;
            }

            Assert.NotNull(ApiKinds.Of(item));
        }
    }

    [Fact]
    public async Task Kubectl_kustomize_of_k3d_overseer_is_what_the_AppHost_applies()
    {
        var kubectl = ExternalTool.Find("kubectl");
        Assert.SkipWhen(kubectl is null && Environment.GetEnvironmentVariable(SharedReference.RequireVariable) != "1", "kubectl is not on PATH.");
        Assert.NotNull(kubectl);

        var (exitCode, output, error) = await ExternalTool.RunAsync(kubectl, ["kustomize", Path.Combine(SharedReference.RepositoryRoot, "k3d", "overseer")]);

        Assert.True(exitCode == 0, error);
        var kustomized = YamlDocuments.Parse(output, "kubectl kustomize k3d/overseer");
        Assert.Equal(ManifestTests.Canonical(kustomized).Order(StringComparer.Ordinal), ManifestTests.Canonical(OverseerManifests.Files()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_token_is_requested_from_the_TokenRequest_API_and_written_with_the_clusters_server_and_CA_into_a_file_only_its_owner_reads()
    {
        var directory = Directory.CreateTempSubdirectory("kafkademo-overseer-");
        try
        {
            var settings = new K3dSettings { StateDirectory = directory.FullName };
            var admin = Path.Combine(directory.FullName, "admin.kubeconfig");
            var (caPem, caData) = Authority();
            await File.WriteAllTextAsync(admin, AdminKubeconfig("https://127.0.0.1:6443", caData), Token);
            var stub = new TokenRequestStub("""{"status":{"token":"overseer-token-1","expirationTimestamp":"2026-12-07T10:00:00Z"}}""");
            using var api = new KubernetesApi(new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "https://127.0.0.1:6443", AccessToken = "admin" }, stub));
            var credentials = new OverseerCredentials(settings, new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));

            var expires = await credentials.IssueAsync(api, admin, NullLogger.Instance, Token);

            Assert.Equal(DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), expires);
            var (method, path, body) = Assert.Single(stub.Requests);
            Assert.Equal(("POST", "/api/v1/namespaces/kafkademo-overseer/serviceaccounts/kafkademo-overseer/token"), (method, path));
            var request = JsonNode.Parse(body)!;
            Assert.Equal("authentication.k8s.io/v1", (string?)request["apiVersion"]);
            Assert.Equal("TokenRequest", (string?)request["kind"]);
            Assert.Equal(3600, (long?)request["spec"]!["expirationSeconds"]);

            Assert.Equal(settings.OverseerKubeconfigPath, credentials.KubeconfigPath);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(settings.OverseerKubeconfigPath));
            }

            var written = KubernetesClientConfiguration.BuildConfigFromConfigFile(settings.OverseerKubeconfigPath);
            Assert.Equal("https://127.0.0.1:6443", written.Host.TrimEnd('/'));
            Assert.Equal("overseer-token-1", written.AccessToken);
            Assert.Null(written.ClientCertificateData);
            Assert.Null(written.ClientCertificateKeyData);
            Assert.Equal("kafka", written.Namespace);
            Assert.Equal(X509Certificate2.CreateFromPem(caPem).Thumbprint, Assert.Single(written.SslCaCerts).Thumbprint);
            Assert.DoesNotContain("admin-client", await File.ReadAllTextAsync(settings.OverseerKubeconfigPath, Token), StringComparison.Ordinal);
            Assert.Equal([settings.OverseerKubeconfigPath, admin], Directory.GetFiles(directory.FullName).Order(StringComparer.Ordinal).Reverse());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_token_is_renewed_with_a_third_of_its_life_left_and_a_failed_renewal_is_tried_again_until_it_works()
    {
        var start = DateTimeOffset.Parse("2026-12-07T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var time = new FakeTimeProvider(start);
        var credentials = new OverseerCredentials(new K3dSettings(), time);
        var issued = new List<DateTimeOffset>();
        var failNext = 0;
        using var stop = new CancellationTokenSource();

        var renewal = credentials.RenewAsync(_ =>
        {
            issued.Add(time.GetUtcNow());
            if (failNext > 0)
            {
                failNext--;
                throw new KubernetesApiException("503 from the API server");
            }

            return Task.FromResult(time.GetUtcNow() + OverseerCredentials.Lifetime);
        }, start + OverseerCredentials.Lifetime, NullLogger.Instance, stop.Token);

        time.Advance(TimeSpan.FromMinutes(39));
        Assert.Empty(issued);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([start.AddMinutes(40)], issued);

        // The next one 40 minutes after that; it fails twice and is tried every 30 s.
        failNext = 2;
        time.Advance(TimeSpan.FromMinutes(40));
        time.Advance(OverseerCredentials.RetryAfter);
        time.Advance(OverseerCredentials.RetryAfter);
        Assert.Equal([start.AddMinutes(40), start.AddMinutes(80), start.AddMinutes(80.5), start.AddMinutes(81)], issued);
        time.Advance(TimeSpan.FromMinutes(39.9));
        Assert.Equal(4, issued.Count);
        time.Advance(TimeSpan.FromMinutes(0.1));
        Assert.Equal(start.AddMinutes(121), issued[^1]);

        await stop.CancelAsync();
        await renewal.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(OverseerCredentials.RenewalDue(start, start.AddHours(1)), start.AddMinutes(40));
    }

    [Fact]
    public async Task A_private_file_replaces_the_old_one_whole_and_leaves_nothing_beside_it()
    {
        var directory = Directory.CreateTempSubdirectory("kafkademo-private-");
        try
        {
            var path = Path.Combine(directory.FullName, "overseer.kubeconfig");
            await File.WriteAllTextAsync(path, "old content, longer than the new one", Token);

            await PrivateFile.WriteAsync(path, "new", Token);

            Assert.Equal("new", await File.ReadAllTextAsync(path, Token));
            Assert.Equal([path], Directory.GetFiles(directory.FullName));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static List<string> Strings(JsonNode? node) => node is JsonArray list ? [.. list.Select(n => (string)n!)] : [];

    /// <summary>A kubeconfig as k3d writes it: the cluster's server and CA, and an admin client certificate.</summary>
    private static string AdminKubeconfig(string server, string caData) => $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - cluster:
            certificate-authority-data: {{caData}}
            server: {{server}}
          name: k3d-kafkademo
        contexts:
        - context:
            cluster: k3d-kafkademo
            user: admin@k3d-kafkademo
          name: k3d-kafkademo
        current-context: k3d-kafkademo
        preferences: {}
        users:
        - name: admin@k3d-kafkademo
          user:
            token: admin-client
        """;

    private static (string Pem, string Data) Authority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=k3s-server-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var pem = certificate.ExportCertificatePem();
        return (pem, Convert.ToBase64String(Encoding.UTF8.GetBytes(pem)));
    }

    /// <summary>Answers every request as the TokenRequest API does (201 with the token), and records it.</summary>
    private sealed class TokenRequestStub(string answer) : DelegatingHandler
    {
        public List<(string Method, string Path, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add((request.Method.Method, request.RequestUri!.AbsolutePath, body));
            return new HttpResponseMessage(HttpStatusCode.Created) { RequestMessage = request, Content = new StringContent(answer, Encoding.UTF8, "application/json") };
        }
    }
}
