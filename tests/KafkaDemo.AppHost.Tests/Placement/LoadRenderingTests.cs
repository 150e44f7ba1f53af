using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Placement;
using KafkaDemo.AppHost.Tests.Deploy;
using KafkaDemo.DeploymentContract.Load;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.Placement;

/// <summary>
/// What KafkaDemo:Placement=cluster applies and builds, without a cluster: deploy/load rendered with
/// the settings (strictly readable by KubernetesClient's models), the Secrets, and the images' tags
/// as a hash of exactly the files a build reads.
/// </summary>
public sealed class LoadRenderingTests
{
    private static readonly LoadSettings Load = new("orders:3,clicks:1", 1500, "256-4096");

    private static ClusterDeploymentSpec Spec(string deployment, int replicas) =>
        new(deployment, "KafkaDemo.Producer", "kafkademo-producer", replicas, 16, SharedReference.RepositoryRoot, Load);

    [Theory]
    [InlineData("producer")]
    [InlineData("consumer")]
    public void The_rendered_objects_and_Secrets_read_strictly_into_their_KubernetesClient_models(string deployment)
    {
        var objects = LoadManifests.Render(Spec(deployment, 2), $"kafkademo-{deployment}:0123456789abcdef", "kafkademo-kafka-bootstrap.kafka.svc:9092",
            new OtlpRoute("http://host.k3d.internal:41234", "grpc", "x-otlp-api-key=k", QuickExport: true))
            .Append(LoadManifests.Secret(LoadDeployment.HmacSecretName, LoadDeployment.HmacSecretKey, "s")).ToList();

        // In Development the pods export every second, as Aspire's projects do.
        var env = objects.Named("Deployment", deployment).Container()["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"]);
        Assert.All(LoadManifests.QuickExportSettings, s => Assert.Equal(s.Value, env[s.Name]));

        foreach (var item in objects)
        {
            var model = DeployManifests.Models[((string)item["apiVersion"]!, (string)item["kind"]!)];
            var error = Record.Exception(() => model.ReadStrictly(YamlDocuments.Write(item)));
            Assert.True(error is null, $"{item.Describe()} does not read strictly: {error?.Message}");
            Assert.Null(model.RoundTripDifference(item));
            if (ApiKinds.Of(item).Namespaced)
            {
                Assert.Equal(LoadDeployment.Namespace, (string?)item["metadata"]!["namespace"]);
            }
        }
    }

    /// <summary>KafkaDemo:External:ImagePullSecret: the pod template pulls with that Secret, and the Deployment still reads strictly into V1Deployment.</summary>
    [Fact]
    public void With_an_image_pull_secret_the_pod_template_names_it_and_reads_strictly()
    {
        var deployment = LoadManifests.Render(Spec("producer", 2), "registry.example.com/kafkademo/kafkademo-producer:0123456789abcdef", "b:9092", otlp: null, imagePullSecret: "registry-login")
            .Named("Deployment", "producer");

        var yaml = YamlDocuments.Write(deployment);
        var model = DeployManifests.Models[("apps/v1", "Deployment")];
        var error = Record.Exception(() => model.ReadStrictly(yaml));
        Assert.True(error is null, $"The Deployment does not read strictly: {error?.Message}");
        Assert.Null(model.RoundTripDifference(deployment));
        var typed = k8s.KubernetesYaml.Deserialize<k8s.Models.V1Deployment>(yaml, strict: true);
        Assert.Equal(["registry-login"], typed.Spec.Template.Spec.ImagePullSecrets.Select(s => s.Name));

        // Without the setting the cluster pulls without a Secret: none is named.
        var plain = LoadManifests.Render(Spec("producer", 2), "kafkademo-producer:0123456789abcdef", "b:9092", otlp: null).Named("Deployment", "producer");
        Assert.Null(plain["spec"]!["template"]!["spec"]!["imagePullSecrets"]);
    }

    [Fact]
    public void A_Deployment_gets_its_image_replicas_settings_and_telemetry_route_and_only_its_own_objects()
    {
        var objects = LoadManifests.Render(Spec("producer", 3), "kafkademo-producer:0123456789abcdef", "b:9092", new OtlpRoute("http://host.k3d.internal:41234", "grpc", null));

        Assert.Equal(["Namespace", "ConfigMap", "Deployment", "Service", "Role", "RoleBinding"], objects.Select(o => (string?)o["kind"]));
        // The Overseer's, so that it can find and reach the pods (without them its EndpointSlice watch is forbidden).
        Assert.Equal("kafkademo-overseer", (string?)objects.Named("RoleBinding", "kafkademo-overseer")["subjects"]![0]!["name"]);
        var deployment = objects.Named("Deployment", "producer");
        Assert.Equal(3, (int)deployment["spec"]!["replicas"]!);
        Assert.Equal("kafkademo-producer:0123456789abcdef", (string?)deployment.Container()["image"]);
        var env = deployment.Container()["env"]!.AsArray().Select(e => (string?)e!["name"]).ToList();
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", env);
        Assert.DoesNotContain("OTEL_EXPORTER_OTLP_HEADERS", env); // the dashboard has no key: no header, no Secret
        Assert.DoesNotContain("OTEL_METRIC_EXPORT_INTERVAL", env); // not Development: the SDK's intervals
        var data = objects.Named("ConfigMap", LoadManifests.SettingsConfigMap)["data"]!;
        Assert.Equal(("b:9092", "1500", "256-4096", "orders:3,clicks:1"),
            ((string?)data["ConnectionStrings__kafka"], (string?)data["Producer__Rate"], (string?)data["Producer__MessageSize"], (string?)data["Consumer__Topics"]));
        Assert.DoesNotContain(objects, o => (string?)o["kind"] == "Secret");
    }

    [Fact]
    public void An_image_tag_is_a_hash_of_the_files_its_Dockerfile_copies_that_the_dockerignore_lets_in()
    {
        var root = Directory.CreateTempSubdirectory("kafkademo-images-").FullName;
        try
        {
            Write(root, ServiceImages.RootMarker, "");
            Write(root, ".dockerignore", "**/bin\n**/*.md\n");
            Write(root, "Svc/Dockerfile", "FROM x AS build\nCOPY --chmod=644 global.json ./\nCOPY [\"Svc/\", \"Svc/\"]\nFROM y\nCOPY --from=build /app ./\n");
            Write(root, "global.json", "{}");
            Write(root, "Svc/Program.cs", "a");
            Write(root, "Svc/bin/Svc.dll", "build output");
            Write(root, "Svc/README.md", "docs");
            Write(root, "Other/Program.cs", "not copied");

            Assert.Equal([".dockerignore", "Svc/Dockerfile", "Svc/Program.cs", "global.json"], ServiceImages.Inputs(root, "Svc/Dockerfile"));
            var tag = ServiceImages.For(root, "Svc", "svc").Tag;
            Assert.Matches("^[0-9a-f]{16}$", tag);

            // Nothing the build does not read changes the tag; a file it reads does.
            Write(root, "Svc/bin/Svc.dll", "other build output");
            Write(root, "Svc/README.md", "other docs");
            Write(root, "Other/Program.cs", "changed");
            Assert.Equal(tag, ServiceImages.For(root, "Svc", "svc").Tag);
            Write(root, "Svc/Program.cs", "b");
            Assert.NotEqual(tag, ServiceImages.For(root, "Svc", "svc").Tag);
            Assert.Equal(root, ServiceImages.FindRepositoryRoot(Path.Combine(root, "Svc")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_repositorys_service_images_hash_their_projects_and_no_build_output_or_tests()
    {
        foreach (var project in new[] { "KafkaDemo.Producer", "KafkaDemo.Consumer", "KafkaDemo.Overseer" })
        {
            var inputs = ServiceImages.Inputs(SharedReference.RepositoryRoot, $"{project}/Dockerfile");

            Assert.Contains($"{project}/Program.cs", inputs);
            Assert.Contains("KafkaDemo.Messaging/KafkaDemo.Messaging.csproj", inputs);
            Assert.DoesNotContain(inputs, i => i.Contains("/bin/", StringComparison.Ordinal) || i.Contains("/obj/", StringComparison.Ordinal) || i.StartsWith("tests/", StringComparison.Ordinal));
        }
    }

    private static void Write(string root, string path, string text)
    {
        var full = Path.Combine(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    /// <summary>Applied again, the Deployment's replicas: configured when it is new; the live count while the apply owns it; left out once the scale subresource does.</summary>
    [Theory]
    [InlineData(false, null, 2)]
    [InlineData(true, "Apply", 5)]
    [InlineData(true, "scale", null)]
    public void Applied_again_the_replicas_follow_who_owns_them(bool exists, string? owner, int? expected)
    {
        var deployment = new JsonObject { ["kind"] = "Deployment", ["metadata"] = new JsonObject { ["name"] = "producer" }, ["spec"] = new JsonObject { ["replicas"] = 2 } };
        JsonObject? live = null;
        if (exists)
        {
            var replicasField = new JsonObject { ["f:spec"] = new JsonObject { ["f:replicas"] = new JsonObject() } };
            live = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["resourceVersion"] = "41",
                    ["managedFields"] = new JsonArray(
                        owner == "Apply"
                            ? new JsonObject { ["manager"] = KubernetesApi.FieldManager, ["operation"] = "Apply", ["fieldsV1"] = replicasField }
                            : new JsonObject { ["manager"] = KubernetesApi.FieldManager, ["operation"] = "Update", ["subresource"] = "scale", ["fieldsV1"] = replicasField }),
                },
                ["spec"] = new JsonObject { ["replicas"] = 5 },
            };
        }

        LoadManifests.KeepLiveReplicas(deployment, live, KubernetesApi.FieldManager);

        Assert.Equal(expected, (int?)deployment["spec"]!["replicas"]);
        Assert.Equal(expected is not null, deployment["spec"]!.AsObject().ContainsKey("replicas"));

        // Applying the count read is conditional on the version read: a scale in between fails the apply (409) instead of being undone.
        Assert.Equal(owner == "Apply" ? "41" : null, (string?)deployment["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public void Following_a_Deployment_again_waits_1_2_4_8_16_then_30_seconds() =>
        Assert.Equal([1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0], Enumerable.Range(1, 7).Select(n => FollowBackoff.Delay(n).TotalSeconds));
}
