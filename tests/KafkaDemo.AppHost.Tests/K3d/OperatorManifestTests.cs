using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Lifecycle;
using k8s.Models;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Strimzi;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>The Strimzi operator manifest is checked before it is applied, and placed in the namespace it watches.</summary>
public sealed class OperatorManifestTests
{
    private static string ReleaseFiles() => SharedReference.File("strimzi/1.2.0/install-cluster-operator");

    /// <summary>The release asset is these files, concatenated (Strimzi's Makefile target release_single_file).</summary>
    private static string ReleaseAsset() =>
        string.Join("\n---\n", Directory.GetFiles(ReleaseFiles(), "*.yaml").Order(StringComparer.Ordinal).Select(File.ReadAllText));

    [Fact]
    public void The_1_2_0_release_is_accepted_and_its_bindings_name_the_kafka_namespace()
    {
        var manifest = OperatorManifest.Parse(ReleaseAsset(), "test", "1.2.0", "4.3.1");

        Assert.Equal(27, Directory.GetFiles(ReleaseFiles(), "*.yaml").Length);
        var bindings = manifest.Objects.Where(o => (string?)o["kind"] is "RoleBinding" or "ClusterRoleBinding").ToList();
        Assert.NotEmpty(bindings);
        Assert.All(bindings.SelectMany(b => b["subjects"]!.AsArray()), s => Assert.Equal(K3dSettings.Namespace, (string?)s!["namespace"]));
        Assert.DoesNotContain(manifest.Objects, o => (string?)o["metadata"]!["namespace"] == "myproject");
        Assert.All(manifest.Objects.Where(o => (string?)o["kind"] is "Deployment" or "ServiceAccount" or "ConfigMap" or "RoleBinding"),
            o => Assert.Equal(K3dSettings.Namespace, (string?)o["metadata"]!["namespace"]));
    }

    [Fact]
    public void Every_core_object_of_the_rewritten_manifest_round_trips_through_KubernetesClient_models()
    {
        var manifest = OperatorManifest.Parse(ReleaseAsset(), "test", "1.2.0", "4.3.1");

        foreach (var item in manifest.Objects)
        {
            switch ((string?)item["kind"])
            {
                case "ServiceAccount": ManifestTests.AssertRoundTrips<V1ServiceAccount>(item); break;
                case "ClusterRole": ManifestTests.AssertRoundTrips<V1ClusterRole>(item); break;
                case "RoleBinding": ManifestTests.AssertRoundTrips<V1RoleBinding>(item); break;
                case "ClusterRoleBinding": ManifestTests.AssertRoundTrips<V1ClusterRoleBinding>(item); break;
                case "ConfigMap": ManifestTests.AssertRoundTrips<V1ConfigMap>(item); break;
                case "Deployment": ManifestTests.AssertRoundTrips<V1Deployment>(item); break;
                case "CustomResourceDefinition": Assert.NotNull(k8s.KubernetesJson.Deserialize<V1CustomResourceDefinition>(item.ToJsonString())); break;
                default: Assert.Fail($"Unexpected {item["kind"]} in the operator manifest."); break;
            }
        }
    }

    [Fact]
    public void Another_operator_version_is_refused()
    {
        var error = Assert.Throws<ClusterSetupException>(() =>
            OperatorManifest.Parse(ReleaseAsset().Replace("quay.io/strimzi/operator:1.2.0", "quay.io/strimzi/operator:1.1.0", StringComparison.Ordinal), "test", "1.2.0", "4.3.1"));

        Assert.Contains("its operator image is quay.io/strimzi/operator:1.1.0, not strimzi/operator:1.2.0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Crds_that_do_not_serve_v1_are_refused()
    {
        var v1beta2Only = ReleaseAsset().Replace("  - name: v1\n    served: true", "  - name: v1\n    served: false", StringComparison.Ordinal);
        Assert.NotEqual(ReleaseAsset(), v1beta2Only);

        var error = Assert.Throws<ClusterSetupException>(() => OperatorManifest.Parse(v1beta2Only, "test", "1.2.0", "4.3.1"));

        Assert.Contains("does not serve kafka.strimzi.io/v1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_operator_without_our_Kafka_version_is_refused()
    {
        var error = Assert.Throws<ClusterSetupException>(() => OperatorManifest.Parse(ReleaseAsset(), "test", "1.2.0", "9.9.9"));

        Assert.Contains("no image for Kafka 9.9.9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_local_folder_is_read_and_a_missing_path_names_the_key()
    {
        var settings = new K3dSettings { StrimziManifest = ReleaseFiles() };
        var said = new List<string>();
        using var http = new HttpClient();

        var manifest = await OperatorManifest.LoadAsync(settings, "4.3.1", http, said.Add, TestContext.Current.CancellationToken);

        Assert.Contains(manifest.Objects, o => (string?)o["kind"] == "Deployment");
        Assert.Contains(said, s => s.Contains("27 files", StringComparison.Ordinal));
        settings.StrimziManifest = "/no/such/strimzi.yaml";
        var error = await Assert.ThrowsAsync<ClusterSetupException>(() => OperatorManifest.LoadAsync(settings, "4.3.1", http, said.Add, TestContext.Current.CancellationToken));
        Assert.Contains("KafkaDemo:K3d:StrimziManifest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_pinned_release_asset_url_follows_strimzis_release_pattern()
    {
        Assert.Equal(
            "https://github.com/strimzi/strimzi-kafka-operator/releases/download/1.2.0/strimzi-cluster-operator-1.2.0.yaml",
            K3dSettings.StrimziReleaseUrl);
        var kafka = KafkaManifests.Files().Single(o => (string?)o["kind"] == "Kafka");
        Assert.Equal("4.3.1", (string?)kafka["spec"]!["kafka"]!["version"]);
        Assert.IsType<JsonObject>(kafka["spec"]!["kafka"]!["config"]);
    }
}
