using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Agent;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.OverseerIdentity;
using KafkaDemo.AppHost.Strimzi;
using KafkaDemo.AppHost.Tests.K3d;
using KafkaDemo.Messaging.Topics;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.External;

/// <summary>The rules an existing cluster's Strimzi is checked by: which CRD will do, and which listener this machine uses.</summary>
public sealed class ExistingClusterRulesTests
{
    [Fact]
    public void Strimzi_1_2_0_s_own_CRDs_serve_the_version_the_demo_uses_once_Established()
    {
        var crd = YamlDocuments.Parse(File.ReadAllText(SharedReference.File("strimzi/1.2.0/040-Crd-kafka.yaml")), "040-Crd-kafka.yaml").Single();
        Assert.Equal("is not Established (the API server does not serve its resources yet)", StrimziCrdCheck.Problem(crd, ApiKinds.Kafka));
        crd["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Established", ["status"] = "True" }) };
        Assert.Null(StrimziCrdCheck.Problem(crd, ApiKinds.Kafka));
        Assert.Equal("kafkas.kafka.strimzi.io", StrimziCrdCheck.CrdName(ApiKinds.Kafka));
        Assert.Equal("kafkas.kafka.strimzi.io", (string?)crd["metadata"]!["name"]);
    }

    [Fact]
    public void A_CRD_of_an_older_Strimzi_that_serves_only_v1beta2_is_refused_naming_what_it_serves()
    {
        var crd = new JsonObject
        {
            ["spec"] = new JsonObject { ["versions"] = new JsonArray(new JsonObject { ["name"] = "v1beta2", ["served"] = true, ["storage"] = true }, new JsonObject { ["name"] = "v1", ["served"] = false }) },
            ["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Established", ["status"] = "True" }) },
        };
        Assert.Equal("does not serve v1 (it serves v1beta2)", StrimziCrdCheck.Problem(crd, ApiKinds.Kafka));
    }

    private static JsonObject Kafka(params (string Name, string Type, bool Tls, string? Servers)[] listeners) => new()
    {
        ["spec"] = new JsonObject { ["kafka"] = new JsonObject { ["listeners"] = new JsonArray([.. listeners.Select(l => (JsonNode)new JsonObject { ["name"] = l.Name, ["type"] = l.Type, ["tls"] = l.Tls })]) } },
        ["status"] = new JsonObject { ["listeners"] = new JsonArray([.. listeners.Where(l => l.Servers is not null).Select(l => (JsonNode)new JsonObject { ["name"] = l.Name, ["bootstrapServers"] = l.Servers })]) },
    };

    [Fact]
    public void The_one_plaintext_nodeport_or_loadbalancer_listener_is_used()
    {
        var kafka = Kafka(("plain", "internal", false, "k-kafka-bootstrap.kafka.svc:9092"), ("tls", "ingress", true, "bootstrap.example.com:443"), ("lb", "loadbalancer", false, "203.0.113.7:9094"));
        Assert.Equal("203.0.113.7:9094", ExternalListener.BootstrapServers(kafka, null, "Kafka kafka/k"));
    }

    [Fact]
    public void A_named_listener_is_used_even_when_it_is_internal()
    {
        var kafka = Kafka(("plain", "internal", false, "k-kafka-bootstrap.kafka.svc:9092"), ("external", "nodeport", false, "10.0.0.5:30092"));
        Assert.Equal("k-kafka-bootstrap.kafka.svc:9092", ExternalListener.BootstrapServers(kafka, "plain", "Kafka kafka/k"));
    }

    [Fact]
    public void Without_a_reachable_listener_the_message_lists_the_listeners_and_the_two_ways_out()
    {
        var kafka = Kafka(("plain", "internal", false, "k:9092"), ("route", "route", true, "r:443"));
        var ex = Assert.Throws<ClusterSetupException>(() => ExternalListener.BootstrapServers(kafka, null, "Kafka kafka/k"));
        Assert.Equal("Kafka kafka/k has no listener this machine can reach in plaintext (type nodeport or loadbalancer, tls: false, no authentication); it has plain (internal), route (route, tls).", ex.Cause);
        Assert.Contains("KafkaDemo:External:Listener", ex.Fix, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:kafka", ex.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_reachable_listeners_need_one_named()
    {
        var kafka = Kafka(("a", "nodeport", false, "a:1"), ("b", "loadbalancer", false, "b:2"));
        var ex = Assert.Throws<ClusterSetupException>(() => ExternalListener.BootstrapServers(kafka, null, "Kafka kafka/k"));
        Assert.Equal("Kafka kafka/k has 2 listeners this machine could reach (a (nodeport), b (loadbalancer)).", ex.Cause);
    }

    [Fact]
    public void A_named_listener_that_does_not_exist_is_refused_naming_the_key()
    {
        var kafka = Kafka(("external", "nodeport", false, "x:1"));
        var ex = Assert.Throws<ClusterSetupException>(() => ExternalListener.BootstrapServers(kafka, "outside", "Kafka kafka/k"));
        Assert.Equal("Kafka kafka/k has no listener 'outside' (KafkaDemo:External:Listener); it has external (nodeport).", ex.Cause);
    }

    [Fact]
    public void A_listener_without_status_bootstrap_servers_is_refused()
    {
        var kafka = Kafka(("external", "nodeport", false, null));
        var ex = Assert.Throws<ClusterSetupException>(() => ExternalListener.BootstrapServers(kafka, null, "Kafka kafka/k"));
        Assert.Equal("Kafka kafka/k is Ready, but its status names no bootstrap servers for the 'external' listener.", ex.Cause);
    }

    private static readonly KafkaTarget Streaming = new("streaming", "main");

    [Fact]
    public void The_Overseer_s_and_the_agent_s_objects_for_another_Kafka_name_its_namespace_and_only_it()
    {
        var objects = OverseerManifests.Render(Streaming).Concat(AgentManifests.Render("registry.example.com/vibectl:1", configuredAt: null, "IfNotPresent", Streaming)).ToList();

        // Nothing is left in, or names, the namespace kafka or the Kafka kafkademo.
        Assert.DoesNotContain(objects, o => (string?)o["metadata"]?["namespace"] == "kafka");
        Assert.DoesNotContain(objects.Where(o => o["rules"] is not null).SelectMany(o => o["rules"]!.AsArray()),
            r => r!["resourceNames"]?.AsArray().Any(n => (string?)n == "kafkademo") == true);
        foreach (var role in objects.Where(o => (string?)o["kind"] == "Role" && (string?)o["metadata"]!["namespace"] == "streaming"))
        {
            var kafkaRules = role["rules"]!.AsArray().Where(r => r!["resources"]!.AsArray().Any(x => (string?)x == "kafkas")).ToList();
            Assert.NotEmpty(kafkaRules);

            // Every verb that changes a Kafka names main.
            Assert.All(kafkaRules.Where(r => r!["verbs"]!.AsArray().Any(v => (string?)v is "patch" or "update")),
                r => Assert.Equal(["main"], r!["resourceNames"]!.AsArray().Select(n => (string?)n)));
        }

        Assert.Equal(2, objects.Count(o => (string?)o["kind"] == "Role" && (string?)o["metadata"]!["namespace"] == "streaming"));
        Assert.Equal(2, objects.Count(o => (string?)o["kind"] == "RoleBinding" && (string?)o["metadata"]!["namespace"] == "streaming"));
        var policy = Assert.Single(objects, o => (string?)o["kind"] == "ValidatingAdmissionPolicy");
        Assert.Equal("streaming", (string?)policy["spec"]!["matchConstraints"]!["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]);

        // The policy and its binding are the only cluster-scoped objects: named for the namespace, so that another AppHost's
        // Kafka in another namespace of this cluster keeps its own (the same names would make the last apply retarget both).
        Assert.Equal("kafkademo-agent-tuning-streaming", (string?)policy["metadata"]!["name"]);
        var binding = Assert.Single(objects, o => (string?)o["kind"] == "ValidatingAdmissionPolicyBinding");
        Assert.Equal(("kafkademo-agent-tuning-streaming", "kafkademo-agent-tuning-streaming"), ((string?)binding["metadata"]!["name"], (string?)binding["spec"]!["policyName"]));
        Assert.Equal(["Namespace", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
            objects.Where(o => o["metadata"]?["namespace"] is null).Select(o => (string)o["kind"]!).Distinct().Order(StringComparer.Ordinal));
        var kubeconfig = Assert.Single(objects, o => (string?)o["metadata"]?["name"] == AgentManifests.KubeconfigConfigMapName);
        var context = YamlDocuments.Parse((string)kubeconfig["data"]!["config"]!, "kubeconfig").Single()["contexts"]![0]!["context"]!;
        Assert.Equal("streaming", (string?)context["namespace"]);
    }

    [Fact]
    public void For_kafka_kafkademo_the_objects_are_the_files_as_they_are()
    {
        Assert.Equal(Json(OverseerManifests.Files()), Json(OverseerManifests.Render(KafkaTarget.Default)));
        Assert.Equal(Json(AgentManifests.Render("i:1", configuredAt: null)), Json(AgentManifests.Render("i:1", configuredAt: null, kafka: KafkaTarget.Default)));
        Assert.Equal(Json(AgentManifests.Files()), Json(AgentManifests.Render((string)AgentManifests.Files().Single(o => (string?)o["kind"] == "Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!, configuredAt: null)));
    }

    [Fact]
    public void The_topics_for_an_existing_Kafka_are_its_KafkaTopics_in_its_namespace_and_valid_for_Strimzi_1_2_0()
    {
        var schema = UpstreamSchemas.StrimziCrd("043-Crd-kafkatopic.yaml");
        var topics = KafkaManifests.Topics(Streaming, TopicSpec.Parse("orders:3,Clicks_2:1"), partitions: 12, replicationFactor: 2);
        Assert.Equal(["orders", "Clicks_2"], topics.Select(t => (string?)t["spec"]!["topicName"]));
        Assert.All(topics, t =>
        {
            Assert.Equal("streaming", (string?)t["metadata"]!["namespace"]);
            Assert.Equal("main", (string?)t["metadata"]!["labels"]!["strimzi.io/cluster"]);
            Assert.Equal("12", t["spec"]!["partitions"]!.ToJsonString());
            Assert.Equal("2", t["spec"]!["replicas"]!.ToJsonString());
            Assert.Equal("1", t["spec"]!["config"]!["min.insync.replicas"]!.ToJsonString());
            Assert.Equal("600000", t["spec"]!["config"]!["retention.ms"]!.ToJsonString());
            Assert.Empty(schema.Errors(t));
        });

        // Without a broker count, replicas and min.insync.replicas are the brokers' defaults.
        var unsized = KafkaManifests.Topics(Streaming, TopicSpec.Parse("orders"), partitions: 6, replicationFactor: null).Single();
        Assert.Null(unsized["spec"]!["replicas"]);
        Assert.Null(unsized["spec"]!["config"]!["min.insync.replicas"]);
        Assert.Empty(schema.Errors(unsized));

        // And the schema check can fail: a misspelled field.
        unsized["spec"]!["replica"] = 3;
        Assert.NotEmpty(schema.Errors(unsized));
    }

    private static string[] Json(IEnumerable<JsonObject> objects) => [.. objects.Select(o => o.ToJsonString())];
}
