using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Strimzi;
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
        var ex = Assert.Throws<K3dSetupException>(() => ExternalListener.BootstrapServers(kafka, null, "Kafka kafka/k"));
        Assert.Equal("Kafka kafka/k has no listener this machine can reach in plaintext (type nodeport or loadbalancer, tls: false, no authentication); it has plain (internal), route (route, tls).", ex.Cause);
        Assert.Contains("KafkaDemo:External:Listener", ex.Fix, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:kafka", ex.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_reachable_listeners_need_one_named()
    {
        var kafka = Kafka(("a", "nodeport", false, "a:1"), ("b", "loadbalancer", false, "b:2"));
        var ex = Assert.Throws<K3dSetupException>(() => ExternalListener.BootstrapServers(kafka, null, "Kafka kafka/k"));
        Assert.Equal("Kafka kafka/k has 2 listeners this machine could reach (a (nodeport), b (loadbalancer)).", ex.Cause);
    }

    [Fact]
    public void A_named_listener_that_does_not_exist_is_refused_naming_the_key()
    {
        var kafka = Kafka(("external", "nodeport", false, "x:1"));
        var ex = Assert.Throws<K3dSetupException>(() => ExternalListener.BootstrapServers(kafka, "outside", "Kafka kafka/k"));
        Assert.Equal("Kafka kafka/k has no listener 'outside' (KafkaDemo:External:Listener); it has external (nodeport).", ex.Cause);
    }

    [Fact]
    public void A_listener_without_status_bootstrap_servers_is_refused()
    {
        var kafka = Kafka(("external", "nodeport", false, null));
        var ex = Assert.Throws<K3dSetupException>(() => ExternalListener.BootstrapServers(kafka, null, "Kafka kafka/k"));
        Assert.Equal("Kafka kafka/k is Ready, but its status names no bootstrap servers for the 'external' listener.", ex.Cause);
    }
}
