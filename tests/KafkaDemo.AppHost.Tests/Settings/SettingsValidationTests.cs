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
        { "Registry", "registry.example.com/kafkademo", "KafkaDemo:External:Registry needs KafkaDemo:External:Kubeconfig (the existing cluster's kubeconfig); KafkaDemo:External:Kubeconfig is not set." },
        { "ImagePullSecret", "registry-login", "KafkaDemo:External:ImagePullSecret needs KafkaDemo:External:Kubeconfig (the existing cluster's kubeconfig); KafkaDemo:External:Kubeconfig is not set." },
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

    private const string ClusterPlacementModes = "KafkaDemo:Placement=cluster needs KafkaDemo:Mode=k3d, or KafkaDemo:Mode=external with KafkaDemo:External:Kubeconfig and KafkaDemo:External:Registry (the load runs in a Kubernetes cluster); ";

    [Theory]
    [InlineData("embedded", ClusterPlacementModes + "KafkaDemo:Mode is 'embedded'.")]
    [InlineData("auto", ClusterPlacementModes + "KafkaDemo:Mode is 'auto'.")]
    [InlineData("external", ClusterPlacementModes + "KafkaDemo:Mode is 'external' and KafkaDemo:External:Kubeconfig is not set.")]
    public void Cluster_placement_without_a_cluster_is_refused_naming_the_keys(string mode, string expected)
    {
        var settings = new KafkaDemoSettings { Mode = mode, Placement = "cluster" };
        Assert.Equal([expected], settings.Problems());
    }

    [Fact]
    public void Cluster_placement_with_an_existing_cluster_needs_a_registry()
    {
        var kubeconfig = Path.GetTempFileName();
        try
        {
            var settings = new KafkaDemoSettings { Mode = "external", Placement = "cluster", External = { Kubeconfig = kubeconfig } };
            Assert.Equal(["KafkaDemo:Placement=cluster with an existing cluster needs KafkaDemo:External:Registry (a registry the cluster pulls from and docker here may push to, e.g. registry.example.com/kafkademo); it is not set."], settings.Problems());
            settings.External.Registry = "registry.example.com:5000/kafka-demo/load";
            Assert.Empty(settings.Problems());
            // The Overseer's Roles name kafka/kafkademo, and it finds the load's pods with that identity.
            settings.External.KafkaName = "main";
            Assert.Equal(["KafkaDemo:Placement=cluster with an existing cluster needs the Kafka kafka/kafkademo (the Overseer's Roles name it); KafkaDemo:External:Namespace and KafkaDemo:External:KafkaName name kafka/main."], settings.Problems());
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Theory]
    [InlineData("registry.example.com/kafkademo:1.0")]
    [InlineData("registry.example.com/KafkaDemo")]
    [InlineData("https://registry.example.com/kafkademo")]
    [InlineData("registry.example.com/kafkademo/")]
    [InlineData("registry.example.com/kafkademo@sha256")]
    public void A_registry_that_is_no_image_name_prefix_is_refused(string registry)
    {
        var kubeconfig = Path.GetTempFileName();
        try
        {
            var settings = new KafkaDemoSettings { Mode = "external", Placement = "cluster", External = { Kubeconfig = kubeconfig, Registry = registry } };
            Assert.Equal([$"KafkaDemo:External:Registry must be an image name prefix without tag (a registry host, optional :port, then lowercase path parts, e.g. registry.example.com/kafkademo); it is '{registry}'."], settings.Problems());
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Theory]
    [InlineData("Registry-Login")]
    [InlineData("registry_login")]
    [InlineData("-registry")]
    [InlineData("registry.")]
    [InlineData("registry..login")]
    [InlineData("registry login")]
    public void An_image_pull_secret_that_is_no_Secret_name_is_refused_naming_the_key(string name)
    {
        var kubeconfig = Path.GetTempFileName();
        try
        {
            var settings = new KafkaDemoSettings { Mode = "external", Placement = "cluster", External = { Kubeconfig = kubeconfig, Registry = "registry.example.com/kafkademo", ImagePullSecret = name } };
            Assert.Equal([$"KafkaDemo:External:ImagePullSecret must be a Secret's name (a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253); it is '{name}'."], settings.Problems());
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public void An_image_pull_secret_is_a_DNS_1123_subdomain_of_at_most_253_and_only_for_the_load_in_the_cluster()
    {
        var kubeconfig = Path.GetTempFileName();
        try
        {
            var settings = new KafkaDemoSettings { Mode = "external", Placement = "cluster", External = { Kubeconfig = kubeconfig, Registry = "registry.example.com/kafkademo", ImagePullSecret = "registry.example.com-login" } };
            Assert.Empty(settings.Problems());
            settings.External.ImagePullSecret = string.Join('.', Enumerable.Repeat(new string('a', 63), 4))[..253];
            Assert.Empty(settings.Problems());
            settings.External.ImagePullSecret += "a";
            Assert.Single(settings.Problems(), p => p.StartsWith("KafkaDemo:External:ImagePullSecret must be a Secret's name", StringComparison.Ordinal));

            // With the load on this machine nothing pulls from the registry.
            settings.External.ImagePullSecret = "registry-login";
            settings.Placement = "host";
            Assert.Equal(["KafkaDemo:External:ImagePullSecret is for the load's pods in the cluster (KafkaDemo:Placement=cluster); KafkaDemo:Placement is 'host'."], settings.Problems());
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }
}
