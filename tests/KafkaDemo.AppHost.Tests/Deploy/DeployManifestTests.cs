using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Manifests;
using KafkaDemo.AppHost.Placement;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Strimzi;
using KafkaDemo.AppHost.Tests.K3d;
using KafkaDemo.DeploymentContract.Load;
using KafkaDemo.TestSupport;
using HealthEndpoints = Microsoft.Extensions.Hosting.Extensions;

namespace KafkaDemo.AppHost.Tests.Deploy;

/// <summary>
/// The load and the Overseer as Kubernetes objects (deploy/load, deploy/overseer): strictly valid for
/// KubernetesClient's models, complete, and as the issue asks: the agent's pod security, probes on
/// the services' health endpoints, requests and limits, secrets only by reference, consumers within
/// the partitions, the internal bootstrap, and the Overseer's own identity and node port.
/// </summary>
public sealed partial class DeployManifestTests
{
    private static IReadOnlyList<JsonObject> Everything => [.. DeployManifests.Kustomize(DeployManifests.Load), .. DeployManifests.Kustomize(DeployManifests.Overseer)];

    private static IEnumerable<JsonObject> Deployments => Everything.OfKind("Deployment");

    private static JsonObject AgentDeployment =>
        YamlDocuments.Parse(File.ReadAllText(DeployManifests.FullPath("k3d/agent/deployment.yaml")), "k3d/agent/deployment.yaml").Single();

    [Theory]
    [MemberData(nameof(DeployManifests.Folders), MemberType = typeof(DeployManifests))]
    public void Every_object_reads_strictly_into_its_KubernetesClient_model(string folder)
    {
        var objects = DeployManifests.Kustomize(folder);

        Assert.NotEmpty(objects);
        foreach (var item in objects)
        {
            DeployManifests.AssertReadsStrictly(item);
        }
    }

    [Fact]
    public void An_unknown_field_fails_both_checks_though_KubernetesYaml_by_default_ignores_it()
    {
        var producer = DeployManifests.Kustomize(DeployManifests.Load).Named("Deployment", "producer").DeepClone().AsObject();
        producer.Container()["readinessProbe"]!["httpGett"] = producer.Container()["readinessProbe"]!["httpGet"]!.DeepClone();
        var yaml = YamlDocuments.Write(producer);
        var model = DeployManifests.Models[("apps/v1", "Deployment")];

        // KubernetesYaml's default deserializer is built with IgnoreUnmatchedProperties: the typo is dropped silently.
        var lenient = KubernetesYaml.Deserialize<V1Deployment>(yaml);
        Assert.Equal("producer", lenient.Metadata.Name);

        var strict = Record.Exception(() => model.ReadStrictly(yaml));
        Assert.NotNull(strict);
        Assert.Contains("httpGett", strict.ToString(), StringComparison.Ordinal);
        Assert.Contains("httpGett", model.RoundTripDifference(producer), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DeployManifests.Folders), MemberType = typeof(DeployManifests))]
    public void The_kustomization_lists_every_file_in_its_folder(string folder)
    {
        var listed = DeployManifests.Kustomization(folder)["resources"]!.AsArray().Select(r => (string)r!)
            .Where(r => !r.StartsWith("../", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        var files = Directory.GetFiles(DeployManifests.FullPath(folder)).Select(Path.GetFileName)
            .Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal);

        Assert.Equal(files, listed);
    }

    [Theory]
    [MemberData(nameof(DeployManifests.Folders), MemberType = typeof(DeployManifests))]
    public async Task Kubectl_kustomize_renders_each_folder_to_the_objects_these_tests_check(string folder)
    {
        var kubectl = RequiredTools.Kubectl();

        var (exitCode, output, error) = await ExternalTool.RunAsync(kubectl, ["kustomize", DeployManifests.FullPath(folder)]);

        Assert.True(exitCode == 0, error);
        var kustomized = YamlDocuments.Parse(output, $"kubectl kustomize {folder}");
        // kustomize sorts objects by kind and keys by name; the content must be the same.
        Assert.Equal(
            ManifestTests.Canonical(DeployManifests.Kustomize(folder)).Order(StringComparer.Ordinal),
            ManifestTests.Canonical(kustomized).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_pod_runs_as_the_agents_does_non_root_read_only_no_capabilities_seccomp()
    {
        var agentPod = AgentDeployment["spec"]!["template"]!["spec"]!.AsObject();
        var agentContainer = AgentDeployment.Container();

        Assert.Equal(3, Deployments.Count());
        foreach (var deployment in Deployments)
        {
            var pod = deployment["spec"]!["template"]!["spec"]!.AsObject();
            var container = deployment.Container();
            var name = deployment.Describe();
            Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!, name);
            // The chiseled ASP.NET image's user app (APP_UID 1654, docs/containers.md).
            Assert.Equal(1654, (long)pod["securityContext"]!["runAsUser"]!);
            Assert.True(JsonNode.DeepEquals(agentPod["securityContext"]!["seccompProfile"], pod["securityContext"]!["seccompProfile"]), name);
            Assert.True(JsonNode.DeepEquals(agentContainer["securityContext"], container["securityContext"]), $"{name}: {container["securityContext"]!.ToJsonString()}");
            Assert.True((bool)container["securityContext"]!["readOnlyRootFilesystem"]!, name);

            // A read-only root: /tmp (temporary files, .NET's diagnostics socket, the consumer's read positions) is an emptyDir.
            var tmp = container["volumeMounts"]!.AsArray().Single(m => (string?)m!["mountPath"] == "/tmp")!;
            var volume = pod["volumes"]!.AsArray().Single(v => (string?)v!["name"] == (string?)tmp["name"])!;
            Assert.NotNull(volume["emptyDir"]);
        }

        var consumer = Deployments.Single(d => (string?)d["metadata"]!["name"] == "consumer").Container();
        Assert.StartsWith("/tmp/", (string?)consumer["env"]!.AsArray().Single(e => (string?)e!["name"] == "Consumer__StateDirectory")!["value"], StringComparison.Ordinal);
    }

    [Fact]
    public void Probes_use_the_service_defaults_health_endpoints_on_the_named_port_with_a_loopback_host()
    {
        foreach (var deployment in Deployments)
        {
            var container = deployment.Container();
            var port = (string)container["ports"]!.AsArray().Single()!["name"]!;
            foreach (var (probe, path) in new[] { ("readinessProbe", HealthEndpoints.HealthPath), ("livenessProbe", HealthEndpoints.AlivePath) })
            {
                var get = container[probe]!["httpGet"]!;
                Assert.Equal(path, (string?)get["path"]);
                Assert.Equal(port, (string?)get["port"]);
                // The service's own AllowedHosts (its appsettings.json: the loopback names) must take the probe's
                // Host, whatever the manifests set; the kubelet would otherwise send the pod's address and get a 400.
                var host = (string)get["httpHeaders"]!.AsArray().Single(h => (string?)h!["name"] == "Host")!["value"]!;
                Assert.Contains(host, AllowedHosts(deployment));
            }
        }
    }

    [Fact]
    public void Every_container_has_requests_and_a_memory_limit()
    {
        foreach (var deployment in Deployments)
        {
            var resources = deployment.Container()["resources"]!;
            Assert.True(new ResourceQuantity((string)resources["requests"]!["cpu"]!).ToDecimal() > 0, deployment.Describe());
            var request = new ResourceQuantity((string)resources["requests"]!["memory"]!).ToDecimal();
            var limit = new ResourceQuantity((string)resources["limits"]!["memory"]!).ToDecimal();
            Assert.InRange(request, 1, limit);
        }
    }

    [Fact]
    public void No_file_holds_a_secret_every_secret_is_a_reference_and_the_HMAC_secret_stays_in_the_load_namespace()
    {
        Assert.Empty(Everything.OfKind("Secret"));
        foreach (var folder in new[] { DeployManifests.Load, DeployManifests.Overseer })
        {
            Assert.All(Directory.GetFiles(DeployManifests.FullPath(folder)), f => Assert.DoesNotMatch(SecretKind(), File.ReadAllText(f)));
        }

        var references = new List<(string Namespace, string Secret)>();
        foreach (var deployment in Deployments)
        {
            foreach (var env in deployment.Container()["env"]!.AsArray().Select(e => e!.AsObject()))
            {
                var name = (string)env["name"]!;
                if (env["valueFrom"]?["secretKeyRef"] is { } reference)
                {
                    references.Add(((string)deployment["metadata"]!["namespace"]!, (string)reference["name"]!));
                }
                else
                {
                    Assert.DoesNotMatch(SecretNames.Pattern(), name);
                }
            }
        }

        Assert.All(Everything.OfKind("ConfigMap").SelectMany(c => c["data"]!.AsObject()), p => Assert.DoesNotMatch(SecretNames.Pattern(), p.Key));
        Assert.Equal(["kafkademo-load"], references.Where(r => r.Secret == "kafkademo-hmac").Select(r => r.Namespace).Distinct());
        Assert.Contains(("kafkademo-overseer", "kafkademo-control"), references);
    }

    [Fact]
    public void Consumers_are_at_most_the_partitions_of_a_topic_and_every_deployment_has_replicas()
    {
        var consumers = (long)Deployments.Single(d => (string?)d["metadata"]!["name"] == "consumer")["spec"]!["replicas"]!;
        var topics = KafkaManifests.Files().OfKind("KafkaTopic").Select(t => (long)t["spec"]!["partitions"]!).ToList();

        Assert.NotEmpty(topics);
        Assert.InRange(consumers, 1L, new KafkaDemoSettings().Partitions);
        Assert.InRange(consumers, 1L, topics.Min());
        Assert.All(Deployments, d => Assert.True((long)d["spec"]!["replicas"]! >= 1, d.Describe()));
    }

    [Fact]
    public void The_load_reaches_Kafka_by_its_internal_plain_listener()
    {
        var kafka = KafkaManifests.Files().OfKind("Kafka").Single();
        var plain = kafka["spec"]!["kafka"]!["listeners"]!.AsArray().Single(l => (string?)l!["type"] == "internal" && !(bool)l["tls"]!)!;
        var settings = DeployManifests.Kustomize(DeployManifests.Load).Named("ConfigMap", "load-settings");

        Assert.Equal($"{(string)kafka["metadata"]!["name"]!}-kafka-bootstrap.{K3dSettings.Namespace}.svc:{(long)plain["port"]!}", (string?)settings["data"]!["ConnectionStrings__kafka"]);
        Assert.Equal("kafkademo-kafka-bootstrap.kafka.svc:9092", (string?)settings["data"]!["ConnectionStrings__kafka"]);
        foreach (var name in new[] { "producer", "consumer" })
        {
            var container = Deployments.Single(d => (string?)d["metadata"]!["name"] == name).Container();
            Assert.Contains(container["envFrom"]!.AsArray(), e => (string?)e!["configMapRef"]?["name"] == "load-settings");
        }
    }

    [Fact]
    public void The_headless_Services_select_their_Deployments_pods_on_the_named_port()
    {
        var load = DeployManifests.Kustomize(DeployManifests.Load);

        foreach (var name in new[] { "producer", "consumer" })
        {
            var service = load.Named("Service", name);
            var deployment = load.Named("Deployment", name);
            Assert.Equal("None", (string?)service["spec"]!["clusterIP"]);
            var labels = deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
            Assert.All(service["spec"]!["selector"]!.AsObject(), s => Assert.Equal((string?)s.Value, (string?)labels[s.Key]));
            Assert.True(JsonNode.DeepEquals(deployment["spec"]!["selector"]!["matchLabels"], service["spec"]!["selector"]), name);
            var target = (string)service["spec"]!["ports"]!.AsArray().Single()!["targetPort"]!;
            Assert.Contains(deployment.Container()["ports"]!.AsArray(), p => (string?)p!["name"] == target);
        }
    }

    [Fact]
    public void The_Overseer_runs_as_its_service_account_from_k3d_overseer_and_its_node_port_is_mapped_to_loopback()
    {
        var overseer = DeployManifests.Kustomize(DeployManifests.Overseer);
        var identity = ManifestFiles.Kustomize("k3d/overseer");
        var deployment = overseer.Named("Deployment", "overseer");
        var account = identity.OfKind("ServiceAccount").Single();

        // The RBAC objects are k3d/overseer's, reused: none is written again under deploy/.
        Assert.Equal(ManifestTests.Canonical(identity), ManifestTests.Canonical(overseer.Where(o => (string?)o["kind"] is not ("Deployment" or "Service"))));
        Assert.Equal((string?)account["metadata"]!["name"], (string?)deployment["spec"]!["template"]!["spec"]!["serviceAccountName"]);
        Assert.Equal((string?)account["metadata"]!["namespace"], (string?)deployment["metadata"]!["namespace"]);

        var service = overseer.Named("Service", "overseer");
        Assert.Equal("NodePort", (string?)service["spec"]!["type"]);
        var nodePort = (int)(long)service["spec"]!["ports"]!.AsArray().Single()!["nodePort"]!;
        Assert.Equal(ManifestTests.OverseerPortMapping, $"127.0.0.1:{nodePort}:{nodePort}");
        var file = YamlDocuments.Parse(File.ReadAllText(DeployManifests.FullPath("k3d/cluster.yaml")), "k3d/cluster.yaml").Single();
        Assert.Contains(file["ports"]!.AsArray(), p => (string?)p!["port"] == ManifestTests.OverseerPortMapping
            && p["nodeFilters"]!.AsArray().Select(f => (string?)f).SequenceEqual(["loadbalancer"]));
        Assert.DoesNotContain(nodePort, new K3dSettings().HostPorts);
        Assert.InRange(nodePort, K3dSettings.NodePortMin, K3dSettings.NodePortMax);
    }

    [Fact]
    public void In_the_load_namespace_the_Overseer_may_follow_the_EndpointSlices_and_reach_the_pods_through_the_proxy_and_no_Secret()
    {
        var load = DeployManifests.Kustomize(DeployManifests.Load);
        var account = ManifestFiles.Kustomize("k3d/overseer").OfKind("ServiceAccount").Single();
        var (name, ns) = ((string)account["metadata"]!["name"]!, (string)account["metadata"]!["namespace"]!);

        var bindings = load.OfKind("RoleBinding").Where(b => b["subjects"]!.AsArray().Any(s =>
            (string?)s!["kind"] == "ServiceAccount" && (string?)s["name"] == name && (string?)s["namespace"] == ns)).ToList();
        var binding = Assert.Single(bindings);
        Assert.Equal(LoadDeployment.Namespace, (string?)binding["metadata"]!["namespace"]);
        Assert.Empty(load.OfKind("ClusterRoleBinding"));
        Assert.Empty(load.OfKind("ClusterRole"));
        Assert.Equal("Role", (string?)binding["roleRef"]!["kind"]);
        var role = load.Named("Role", (string)binding["roleRef"]!["name"]!);
        Assert.Equal(LoadDeployment.Namespace, (string?)role["metadata"]!["namespace"]);

        // Exactly what KafkaDemo.Overseer/Discovery does: list and watch the slices; GET and PUT through the pod proxy.
        var rules = role["rules"]!.AsArray().Select(r => (
            Groups: string.Join(",", r!["apiGroups"]!.AsArray().Select(g => (string?)g)),
            Resources: string.Join(",", r["resources"]!.AsArray().Select(g => (string?)g)),
            Verbs: string.Join(",", r["verbs"]!.AsArray().Select(g => (string?)g)),
            Names: r["resourceNames"])).ToList();
        Assert.Equal([("discovery.k8s.io", "endpointslices", "list,watch", (JsonNode?)null), ("", "pods/proxy", "get,update", null)], rules);

        // No rule of any Role bound to the account in kafkademo-load reaches Secrets, by name or by wildcard.
        foreach (var bound in bindings.Select(b => load.Named("Role", (string)b["roleRef"]!["name"]!)))
        {
            Assert.All(bound["rules"]!.AsArray(), r =>
            {
                var groups = r!["apiGroups"]!.AsArray().Select(g => (string?)g).ToList();
                var resources = r["resources"]!.AsArray().Select(g => (string?)g).ToList();
                Assert.False((groups.Contains("") || groups.Contains("*")) && (resources.Contains("secrets") || resources.Contains("*")), r.ToJsonString());
            });
        }
    }

    [Fact]
    public void The_Overseer_finds_the_load_from_its_EndpointSlices_and_the_producers_take_its_changes_from_outside_the_pod()
    {
        var overseer = DeployManifests.Kustomize(DeployManifests.Overseer).Named("Deployment", "overseer").Container();
        var env = overseer["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"]);
        Assert.Equal("Kubernetes", env["Overseer__Discovery__Source"]);
        Assert.Equal("Direct", env["Overseer__Discovery__Route"]);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("Overseer__Producers", StringComparison.Ordinal) || k.StartsWith("Overseer__Consumers", StringComparison.Ordinal));

        var producer = DeployManifests.Kustomize(DeployManifests.Load).Named("Deployment", LoadDeployment.Producer).Container();
        var producerEnv = producer["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!);
        Assert.Equal("true", (string?)producerEnv["Control__AllowRemote"]["value"]);
        Assert.NotNull(producerEnv["Control__Token"]["valueFrom"]?["secretKeyRef"]);
    }

    /// <summary>
    /// The Overseer keeps the producers' starting total (Overseer__TotalRate) as they are scaled: it must be what deploy/load
    /// starts them with, its replicas at the ConfigMap's per-producer rate, or the Overseer would change the total at once.
    /// </summary>
    [Fact]
    public void The_Overseer_s_starting_total_is_the_load_s_producers_at_their_configured_rate()
    {
        var overseer = DeployManifests.Kustomize(DeployManifests.Overseer).Named("Deployment", "overseer").Container();
        var total = overseer["env"]!.AsArray().Single(e => (string?)e!["name"] == "Overseer__TotalRate")!["value"]!.GetValue<string>();
        var load = DeployManifests.Kustomize(DeployManifests.Load);
        var replicas = load.Named("Deployment", LoadDeployment.Producer)["spec"]!["replicas"]!.GetValue<long>();
        var each = load.Named("ConfigMap", LoadManifests.SettingsConfigMap)["data"]!["Producer__Rate"]!.GetValue<string>();

        Assert.Equal(replicas * double.Parse(each, System.Globalization.CultureInfo.InvariantCulture), double.Parse(total, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The host names the Deployment's service accepts by default: AllowedHosts in its project's appsettings.json.</summary>
    private static string[] AllowedHosts(JsonObject deployment)
    {
        var name = (string)deployment["metadata"]!["name"]!;
        var project = $"KafkaDemo.{char.ToUpperInvariant(name[0])}{name[1..]}";
        var settings = JsonNode.Parse(File.ReadAllText(DeployManifests.FullPath($"{project}/appsettings.json")))!;
        return ((string)settings["AllowedHosts"]!).Split(';');
    }

    [GeneratedRegex(@"^\s*kind:\s*Secret\s*$", RegexOptions.Multiline)]
    private static partial Regex SecretKind();
}
