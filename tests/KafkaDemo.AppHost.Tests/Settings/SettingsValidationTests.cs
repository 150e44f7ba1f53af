using KafkaDemo.AppHost.Settings;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.Settings;

/// <summary>The AppHost's <c>KafkaDemo</c> section is checked as the services check their options: a generated validator, attributes that name the key.</summary>
public sealed class SettingsValidationTests
{
    public static TheoryData<Type, string> Sections => new()
    {
        { typeof(KafkaDemoSettings), "KafkaDemo" },
        { typeof(EmbeddedKafkaSettings), "KafkaDemo:Embedded" },
        { typeof(K3dSettings), "KafkaDemo:K3d" },
        { typeof(AgentSettings), "KafkaDemo:Agent" },
        { typeof(ExternalSettings), "KafkaDemo:External" },
        { typeof(PortSettings), "KafkaDemo:Ports" },
    };

    [Theory]
    [MemberData(nameof(Sections))]
    public void Every_attribute_message_starts_with_its_key(Type section, string key)
    {
        Assert.NotEmpty(OptionsKeys.Attributes(section));
        Assert.Empty(OptionsKeys.NotNamingTheirKey(section, key));
    }

    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(new KafkaDemoSettings().Problems());

    [Fact]
    public void Nested_sections_are_checked_by_their_attributes_and_their_own_rules()
    {
        var settings = new KafkaDemoSettings
        {
            K3d = { ClusterName = "Kafka_Demo", Storage = "" },
            Controller = { MinRate = 500, MaxRate = 400 },
            Ports = { Producer = 0 },
        };

        Assert.Equal(
        [
            "KafkaDemo:K3d:ClusterName must be 1 to 32 lowercase letters, digits or '-', starting with a letter; it is 'Kafka_Demo'.",
            "KafkaDemo:K3d:Storage must be ephemeral or persistent; it is ''.",
            "KafkaDemo:Controller:MaxRate must be from MinRate (500) to 5,000,000 messages per second; it is 400.",
            "KafkaDemo:Ports:Producer must be a TCP port (1 to 65535); it is 0.",
        ], settings.Problems());
    }
    public static TheoryData<string, string, string> ExternalKeysWithoutKubeconfig => new()
    {
        { "Context", "kind-demo", "KafkaDemo:External:Context needs KafkaDemo:External:Kubeconfig (the existing cluster's kubeconfig); KafkaDemo:External:Kubeconfig is not set." },
        { "Namespace", "streaming", "KafkaDemo:External:Namespace needs KafkaDemo:External:Kubeconfig (the existing cluster's kubeconfig); KafkaDemo:External:Kubeconfig is not set." },
        { "KafkaName", "main", "KafkaDemo:External:KafkaName needs KafkaDemo:External:Kubeconfig (the existing cluster's kubeconfig); KafkaDemo:External:Kubeconfig is not set." },
        { "Listener", "external", "KafkaDemo:External:Listener needs KafkaDemo:External:Kubeconfig (the existing cluster's kubeconfig); KafkaDemo:External:Kubeconfig is not set." },
        { "AgentImage", "registry.example.com/kafkademo-vibectl:1", "KafkaDemo:External:AgentImage needs KafkaDemo:External:Kubeconfig (the existing cluster's kubeconfig); KafkaDemo:External:Kubeconfig is not set." },
    };

    [Theory]
    [MemberData(nameof(ExternalKeysWithoutKubeconfig))]
    public void An_existing_cluster_s_key_without_its_kubeconfig_is_refused_naming_both(string key, string value, string expected)
    {
        var settings = new KafkaDemoSettings { Mode = "external" };
        typeof(ExternalSettings).GetProperty(key)!.SetValue(settings.External, value);
        Assert.Equal([expected], settings.Problems());
    }

    [Fact]
    public void A_kubeconfig_needs_external_mode_and_an_existing_file()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"kafkademo-no-such-{Guid.NewGuid():N}", "config");
        var settings = new KafkaDemoSettings { Mode = "k3d", External = { Kubeconfig = missing } };
        Assert.Equal(
        [
            "KafkaDemo:External:Kubeconfig is for KafkaDemo:Mode=external (an existing cluster); KafkaDemo:Mode is 'k3d'.",
            $"KafkaDemo:External:Kubeconfig must be a kubeconfig file; there is no file at {missing}.",
        ], settings.Problems());
    }

    [Fact]
    public void An_existing_cluster_s_names_must_be_Kubernetes_names_and_its_timeout_in_range()
    {
        var kubeconfig = Path.GetTempFileName();
        try
        {
            var settings = new KafkaDemoSettings { Mode = "external", External = { Kubeconfig = kubeconfig, Namespace = "Kafka_NS", KafkaName = "-x", ReadyTimeoutSeconds = 5 } };
            Assert.Equal(
            [
                "KafkaDemo:External:Namespace must be a Kubernetes name (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63); it is 'Kafka_NS'.",
                "KafkaDemo:External:KafkaName must be a Kubernetes name (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63); it is '-x'.",
                "KafkaDemo:External:ReadyTimeoutSeconds must be from 10 to 3600; it is 5.",
            ], settings.Problems());

            var valid = new KafkaDemoSettings { Mode = "external", External = { Kubeconfig = kubeconfig, Namespace = "streaming", KafkaName = "main" } };
            Assert.Empty(valid.Problems());
            Assert.Equal("streaming", valid.External.ResolvedNamespace);
            Assert.Equal("kafka", new ExternalSettings().ResolvedNamespace);
            Assert.Equal("kafkademo", new ExternalSettings().ResolvedKafkaName);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public void Cluster_placement_stays_k3d_only_with_an_existing_cluster()
    {
        var kubeconfig = Path.GetTempFileName();
        try
        {
            var settings = new KafkaDemoSettings { Mode = "external", Placement = "cluster", External = { Kubeconfig = kubeconfig } };
            Assert.Equal(["KafkaDemo:Placement=cluster needs KafkaDemo:Mode=k3d for now (the load runs in the k3d cluster); KafkaDemo:Mode is 'external'."], settings.Problems());
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }
}
