using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Manifests;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Strimzi;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.Messaging.Topics;
using KafkaDemo.TestSupport;
using k8s;
using k8s.Models;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// Everything the k3d mode applies, the files under k3d/ and what the AppHost renders from them,
/// checked against the verbatim upstream schemas (Strimzi 1.2.0 CRDs, k3d v5.9.0 config schema)
/// and Strimzi's own rules.
/// </summary>
public sealed partial class ManifestTests
{
    private static readonly Dictionary<string, string> CrdFiles = new()
    {
        ["Kafka"] = "040-Crd-kafka.yaml",
        ["KafkaNodePool"] = "045-Crd-kafkanodepool.yaml",
        ["KafkaTopic"] = "043-Crd-kafkatopic.yaml",
    };

    /// <summary>Layouts the AppHost can be configured with: brokers, storage, topics, partitions, extra broker settings.</summary>
    public static TheoryData<int, string, string, int> Layouts => new()
    {
        { 3, "ephemeral", "orders:3,clicks:1", 6 },
        { 1, "ephemeral", "orders:1", 1 },
        { 2, "persistent", "orders:3,clicks:1,Big_Topic.v2:1", 12 },
        { 5, "persistent", "a:1", 48 },
        { 9, "ephemeral", "orders:3,clicks:1", 100 },
    };

    [Fact]
    public void Every_Strimzi_object_in_k3d_kafka_validates_against_the_Strimzi_CRDs()
    {
        var objects = ManifestFiles.Kustomize(KafkaManifests.Folder);

        Assert.Equal(["ConfigMap", "KafkaNodePool", "Kafka", "KafkaTopic", "KafkaTopic"], objects.Select(o => (string)o["kind"]!));
        AssertValid(objects);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void The_objects_the_AppHost_renders_validate_for_every_layout(int brokers, string storage, string topics, int partitions)
    {
        var objects = KafkaManifests.Render(Layout(brokers, storage, topics, partitions, ("num.io.threads", "4"), ("log.flush.interval.ms", "1000")));

        AssertValid(objects);
        Assert.Equal(TopicSpec.Parse(topics).Names, objects.Where(o => (string?)o["kind"] == "KafkaTopic").Select(o => (string)o["spec"]!["topicName"]!));
        Assert.All(objects, o => Assert.Equal(K3dSettings.Namespace, (string?)o["metadata"]!["namespace"]));
    }

    [Fact]
    public void The_Strimzi_names_in_k3d_kafka_are_the_ones_the_AppHost_and_the_Overseer_use()
    {
        var objects = ManifestFiles.Kustomize(KafkaManifests.Folder);
        var kustomization = File.ReadAllText(Path.Combine(SharedReference.RepositoryRoot, KafkaManifests.Folder, "kustomization.yaml"));

        Assert.Matches(new Regex($"(?m)^namespace: {StrimziNames.Namespace}$"), kustomization);
        Assert.All(objects, o => Assert.Equal(StrimziNames.Namespace, (string?)o["metadata"]!["namespace"]));
        Assert.Equal(StrimziNames.KafkaName, (string?)objects.Single(o => (string?)o["kind"] == "Kafka")["metadata"]!["name"]);
        var pool = objects.Single(o => (string?)o["kind"] == "KafkaNodePool");
        Assert.Equal(StrimziNames.NodePoolName, (string?)pool["metadata"]!["name"]);
        Assert.All(
            objects.Where(o => (string?)o["kind"] is "KafkaNodePool" or "KafkaTopic"),
            o => Assert.Equal(StrimziNames.KafkaName, (string?)o["metadata"]!["labels"]!["strimzi.io/cluster"]));
    }

    [Fact]
    public void With_the_default_settings_the_AppHost_applies_exactly_the_files()
    {
        var rendered = KafkaManifests.Render(KafkaLayout.From(new KafkaDemoSettings()));
        var files = ManifestFiles.Kustomize(KafkaManifests.Folder);

        Assert.Equal(files.Select(f => f.ToJsonString()), rendered.Select(r => r.ToJsonString()));
    }

    [Fact]
    public async Task Kubectl_kustomize_of_k3d_kafka_validates_and_is_what_the_AppHost_applies()
    {
        var kubectl = ExternalTool.Find("kubectl");
        Assert.SkipWhen(kubectl is null && Environment.GetEnvironmentVariable(SharedReference.RequireVariable) != "1", "kubectl is not on PATH.");
        Assert.NotNull(kubectl);
        var folder = Path.Combine(SharedReference.RepositoryRoot, "k3d", "kafka");

        var (exitCode, output, error) = await ExternalTool.RunAsync(kubectl, ["kustomize", folder]);

        Assert.True(exitCode == 0, error);
        var kustomized = YamlDocuments.Parse(output, "kubectl kustomize k3d/kafka");
        AssertValid(kustomized);
        var rendered = KafkaManifests.Render(KafkaLayout.From(new KafkaDemoSettings()));
        // kustomize sorts objects by kind and keys by name; the content must be the same.
        Assert.Equal(Canonical(kustomized).Order(StringComparer.Ordinal), Canonical(rendered).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_cluster_config_file_and_every_rendered_config_validate_against_the_k3d_schema()
    {
        var schema = UpstreamSchemas.K3dConfig();
        var file = YamlDocuments.Parse(File.ReadAllText(Path.Combine(SharedReference.RepositoryRoot, "k3d", "cluster.yaml")), "k3d/cluster.yaml").Single();
        Assert.Empty(schema.Errors(file));

        foreach (var (agents, brokers) in new[] { (0, 1), (2, 3), (8, 9) })
        {
            var rendered = ClusterConfig.Render(new K3dSettings { Agents = agents, Brokers = brokers, ClusterName = "other", NodePort = 31000 });
            Assert.Empty(schema.Errors(rendered));
            Assert.Equal(agents, (int)rendered["agents"]!);
        }

        // The file maps one port more than the AppHost renders: the Overseer's node port, for the
        // Overseer in the cluster (deploy/overseer), which the AppHost does not run (it runs it on the host).
        var withoutOverseer = file.DeepClone().AsObject();
        var ports = withoutOverseer["ports"]!.AsArray();
        ports.Remove(ports.Single(p => (string?)p!["port"] == OverseerPortMapping));
        Assert.Equal(withoutOverseer.ToJsonString(), ClusterConfig.Render(new K3dSettings()).ToJsonString());
    }

    /// <summary>k3d/cluster.yaml's mapping of the Overseer's node port (deploy/overseer/service.yaml) to 127.0.0.1.</summary>
    internal const string OverseerPortMapping = "127.0.0.1:30080:30080";

    [Fact]
    public void A_config_with_an_unknown_key_fails_the_k3d_schema_so_the_check_can_fail()
    {
        var config = ClusterConfig.Render(new K3dSettings());
        ((JsonObject)config["ports"]![0]!)["hostPort"] = "30092";

        Assert.NotEmpty(UpstreamSchemas.K3dConfig().Errors(config));
    }

    [Fact]
    public void A_Kafka_with_a_misspelled_field_or_the_removed_v1beta2_api_fails_the_CRD_schema_so_the_check_can_fail()
    {
        var schema = UpstreamSchemas.StrimziCrd(CrdFiles["Kafka"]);
        var kafka = ManifestFiles.Kustomize(KafkaManifests.Folder).Single(o => (string?)o["kind"] == "Kafka");
        Assert.Empty(schema.Errors(kafka));

        var misspelled = kafka.DeepClone().AsObject();
        misspelled["spec"]!["kafka"]!["listener"] = new JsonArray();
        Assert.Contains(schema.Errors(misspelled), e => e.Contains("listener", StringComparison.Ordinal) || e.Contains("additional", StringComparison.OrdinalIgnoreCase));

        var oldApi = kafka.DeepClone().AsObject();
        oldApi["apiVersion"] = "kafka.strimzi.io/v1beta2";
        Assert.NotEmpty(schema.Errors(oldApi));
    }

    [Fact]
    public void Our_forbidden_keys_are_Strimzis_and_no_rendered_config_uses_one()
    {
        var facts = File.ReadAllText(SharedReference.File("strimzi/FACTS.md"));
        var prefixes = JavaList(facts, "FORBIDDEN_PREFIXES");
        var exceptions = JavaList(facts, "FORBIDDEN_PREFIX_EXCEPTIONS");

        Assert.Equal(prefixes, StrimziConfigRules.ForbiddenPrefixes);
        Assert.Equal(exceptions, StrimziConfigRules.Exceptions);
        Assert.Equal(JavaList(facts, "ALLOWED_PER_LISTENER_CONFIGS"), StrimziConfigRules.PerListenerSettings);

        foreach (var row in Layouts)
        {
            var (brokers, storage, topics, partitions) = row.Data;
            var kafka = KafkaManifests.Render(Layout(brokers, storage, topics, partitions)).Single(o => (string?)o["kind"] == "Kafka");
            foreach (var (key, _) in kafka["spec"]!["kafka"]!["config"]!.AsObject())
            {
                var forbidden = !exceptions.Contains(key) && prefixes.Any(p => key.ToLowerInvariant().StartsWith(p, StringComparison.Ordinal));
                Assert.False(forbidden, $"spec.kafka.config.{key} is forbidden in Strimzi; it would be dropped silently.");
            }
        }
    }

    [Theory]
    [InlineData("listeners", true)]
    [InlineData("advertised.listeners", true)]
    [InlineData("log.dirs", true)]
    [InlineData("broker.session.timeout.ms", false)]
    [InlineData("listener.name.external-9094.max.connections", false)]
    [InlineData("listener.name.external-9094.ssl.keystore.location", true)]
    [InlineData("num.io.threads", false)]
    public void A_forbidden_broker_setting_is_refused_at_start_naming_the_key(string key, bool forbidden)
    {
        var problems = new KafkaDemoSettings { K3d = { BrokerConfig = { [key] = "1" } } }.Problems();

        if (forbidden)
        {
            Assert.Contains(problems, p => p.StartsWith($"KafkaDemo:K3d:BrokerConfig:{key}:", StringComparison.Ordinal));
        }
        else
        {
            Assert.Empty(problems);
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Node_ports_port_mappings_and_advertised_addresses_agree(int brokers, string storage, string topics, int partitions)
    {
        var layout = Layout(brokers, storage, topics, partitions);
        var objects = KafkaManifests.Render(layout);
        var kafka = objects.Single(o => (string?)o["kind"] == "Kafka");
        var pool = objects.Single(o => (string?)o["kind"] == "KafkaNodePool");
        var listener = kafka["spec"]!["kafka"]!["listeners"]!.AsArray().Single(l => (string?)l!["type"] == "nodeport")!;
        var bootstrap = (int)listener["configuration"]!["bootstrap"]!["nodePort"]!;
        var perBroker = listener["configuration"]!["brokers"]!.AsArray().Select(b => b!.AsObject()).ToList();
        var mappings = ClusterConfig.Mappings(ClusterConfig.Render(layout.K3d));

        Assert.Equal(Enumerable.Range(0, (int)pool["spec"]!["replicas"]!), perBroker.Select(b => (int)b["broker"]!));
        Assert.All(perBroker, b =>
        {
            Assert.Equal((int)b["nodePort"]!, (int)b["advertisedPort"]!);
            Assert.Equal("127.0.0.1", (string?)b["advertisedHost"]);
        });
        var nodePorts = perBroker.Select(b => (int)b["nodePort"]!).Prepend(bootstrap).Order().ToList();
        Assert.Equal(nodePorts, mappings.Select(m => m.ContainerPort).Order());
        Assert.All(mappings, m =>
        {
            Assert.Equal(m.ContainerPort, m.HostPort);
            Assert.Equal("127.0.0.1", m.HostIp);
            Assert.InRange(m.HostPort, K3dSettings.NodePortMin, K3dSettings.NodePortMax);
        });
        Assert.Equal(layout.K3d.HostPorts, nodePorts);
    }

    [Fact]
    public void The_file_defaults_agree_with_the_cluster_config_file_ports()
    {
        var kafka = ManifestFiles.Kustomize(KafkaManifests.Folder).Single(o => (string?)o["kind"] == "Kafka");
        var listener = kafka["spec"]!["kafka"]!["listeners"]!.AsArray().Single(l => (string?)l!["type"] == "nodeport")!;
        var file = YamlDocuments.Parse(File.ReadAllText(Path.Combine(SharedReference.RepositoryRoot, "k3d", "cluster.yaml")), "k3d/cluster.yaml").Single();

        var nodePorts = listener["configuration"]!["brokers"]!.AsArray().Select(b => b!["nodePort"]!.GetValue<long>())
            .Prepend(listener["configuration"]!["bootstrap"]!["nodePort"]!.GetValue<long>()).Order();
        Assert.Equal(nodePorts, ClusterConfig.Mappings(file).Where(m => $"{m.HostIp}:{m.HostPort}:{m.ContainerPort}" != OverseerPortMapping)
            .Select(m => (long)m.HostPort).Order());
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Replication_fits_the_brokers_and_retention_fits_half_of_each_broker_volume(int brokers, string storage, string topics, int partitions)
    {
        var layout = Layout(brokers, storage, topics, partitions);
        var objects = KafkaManifests.Render(layout);
        var config = objects.Single(o => (string?)o["kind"] == "Kafka")["spec"]!["kafka"]!["config"]!;

        var replicas = Math.Min(3, brokers);
        Assert.Equal(replicas, (int)config["default.replication.factor"]!);
        Assert.Equal(Math.Max(1, replicas - 1), (int)config["min.insync.replicas"]!);
        var topicObjects = objects.Where(o => (string?)o["kind"] == "KafkaTopic").ToList();
        Assert.All(topicObjects, t => Assert.Equal(replicas, (int)t["spec"]!["replicas"]!));
        var bytesPerBroker = topicObjects.Sum(t => (long)t["spec"]!["config"]!["retention.bytes"]! + (long)t["spec"]!["config"]!["segment.bytes"]!)
            * partitions * replicas / (double)brokers;
        Assert.True(bytesPerBroker <= KafkaLayout.VolumeBytes / 2.0 * 1.01 || (long)topicObjects[0]["spec"]!["config"]!["retention.bytes"]! == 4L << 20,
            $"{bytesPerBroker / (1 << 20):F0} MiB of retention per broker does not fit half of {KafkaLayout.VolumeBytes >> 30} GiB.");
    }

    [Fact]
    public void The_Kafka_resource_uses_the_metrics_ConfigMap_the_kustomization_applies()
    {
        var objects = ManifestFiles.Kustomize(KafkaManifests.Folder);
        var reference = objects.Single(o => (string?)o["kind"] == "Kafka")["spec"]!["kafka"]!["metricsConfig"]!["valueFrom"]!["configMapKeyRef"]!;
        var configMap = objects.Single(o => (string?)o["kind"] == "ConfigMap" && (string?)o["metadata"]!["name"] == (string?)reference["name"]);

        var rules = YamlDocuments.Parse((string)configMap["data"]![(string)reference["key"]!]!, "metrics rules").Single();
        Assert.NotEmpty(rules["rules"]!.AsArray());
        Assert.Contains(rules["rules"]!.AsArray(), r => ((string)r!["pattern"]!).Contains("RequestHandlerAvgIdlePercent", StringComparison.Ordinal));
        Assert.Contains(rules["rules"]!.AsArray(), r => ((string)r!["pattern"]!).Contains("NetworkProcessorAvgIdlePercent", StringComparison.Ordinal));
    }

    [Fact]
    public void Core_objects_round_trip_through_KubernetesClient_models_so_no_field_is_unknown()
    {
        var metrics = ManifestFiles.Kustomize(KafkaManifests.Folder).Single(o => (string?)o["kind"] == "ConfigMap");
        AssertRoundTrips<V1ConfigMap>(metrics);
    }

    internal static void AssertValid(IEnumerable<JsonObject> objects)
    {
        var schemas = CrdFiles.ToDictionary(p => p.Key, p => UpstreamSchemas.StrimziCrd(p.Value));
        foreach (var item in objects)
        {
            var kind = (string)item["kind"]!;
            if (schemas.TryGetValue(kind, out var schema))
            {
                var errors = schema.Errors(item);
                Assert.True(errors.Count == 0, $"{item.Describe()}:\n  {string.Join("\n  ", errors)}");
            }
            else
            {
                Assert.Equal("ConfigMap", kind);
                AssertRoundTrips<V1ConfigMap>(item);
            }

            Assert.Equal(
                StrimziNames.KafkaName,
                (string?)item["metadata"]!["labels"]?["strimzi.io/cluster"] ?? StrimziNames.KafkaName);
        }
    }

    internal static void AssertRoundTrips<T>(JsonObject item)
    {
        var difference = RoundTripDifference<T>(item);
        Assert.True(difference is null, $"{item.Describe()} does not survive {typeof(T).Name}: {difference}");
    }

    /// <summary>
    /// Where <paramref name="item"/> and its trip through KubernetesClient's model <typeparamref name="T"/>
    /// first differ, or null. KubernetesJson (System.Text.Json) drops a field the model lacks without a
    /// word, so a misspelled or unknown field shows up here as "absent" on the way back.
    /// </summary>
    internal static string? RoundTripDifference<T>(JsonObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var typed = KubernetesJson.Deserialize<T>(item.ToJsonString());
        var back = JsonNode.Parse(KubernetesJson.Serialize(typed))!;
        return FirstDifference(Canonical(item), Canonical(back), "");
    }

    /// <summary>Where two JSON trees first differ, as "path: a != b", or null.</summary>
    private static string? FirstDifference(JsonNode? a, JsonNode? b, string path)
    {
        switch (a, b)
        {
            case (JsonObject x, JsonObject y):
                foreach (var key in x.Select(p => p.Key).Union(y.Select(p => p.Key)))
                {
                    if (FirstDifference(x[key], y[key], $"{path}.{key}") is { } d)
                    {
                        return d;
                    }
                }

                return null;
            case (JsonArray x, JsonArray y):
                for (var i = 0; i < Math.Max(x.Count, y.Count); i++)
                {
                    if (FirstDifference(i < x.Count ? x[i] : null, i < y.Count ? y[i] : null, $"{path}[{i}]") is { } d)
                    {
                        return d;
                    }
                }

                return null;
            case (JsonValue x, JsonValue y) when path.Contains(".resources.", StringComparison.Ordinal)
                && x.TryGetValue<string>(out var p) && y.TryGetValue<string>(out var q)
                && new ResourceQuantity(p).ToDecimal() == new ResourceQuantity(q).ToDecimal():
                return null; // the same quantity written another way (1000m is 1)
            default:
                return JsonNode.DeepEquals(a, b) ? null : $"{path}: {a?.ToJsonString() ?? "absent"} != {b?.ToJsonString() ?? "absent"}";
        }
    }

    private static KafkaLayout Layout(int brokers, string storage, string topics, int partitions, params (string Key, string Value)[] config)
    {
        var k3d = new K3dSettings { Brokers = brokers, Storage = storage };
        foreach (var (key, value) in config)
        {
            k3d.BrokerConfig[key] = value;
        }

        return new KafkaLayout(k3d, TopicSpec.Parse(topics), partitions, 3);
    }

    /// <summary>The strings of a Java constant built as "a, b, " + "c, ..." in FACTS.md's code block.</summary>
    private static List<string> JavaList(string facts, string constant)
    {
        var start = facts.IndexOf($"{constant} = ", StringComparison.Ordinal);
        Assert.True(start >= 0, $"FACTS.md has no {constant}.");
        var end = facts.IndexOf("\n\n", start, StringComparison.Ordinal);
        var text = string.Concat(JavaString().Matches(facts[start..end]).Select(m => m.Groups[1].Value));
        return [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
    }

    internal static IEnumerable<string> Canonical(IEnumerable<JsonObject> objects) => objects.Select(o => Canonical(o).ToJsonString());

    /// <summary>The same JSON with object keys sorted and whole numbers as integers, so equal content compares equal.</summary>
    private static JsonNode Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Canonical(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(i => (JsonNode?)Canonical(i))]),
        JsonValue v when v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < 1e15 => JsonValue.Create((long)d),
        null => JsonValue.Create((string?)null)!,
        _ => node.DeepClone(),
    };

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex JavaString();
}
