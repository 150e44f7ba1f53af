using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Tests.K3d;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.Deploy;

/// <summary>
/// <c>deploy/kustomization.yaml</c>, the one path to any Kubernetes: <c>kubectl kustomize deploy</c>
/// gives Kafka, the agent, the load and the Overseer, every object strictly valid (KubernetesClient's
/// models; the Strimzi objects against the Strimzi 1.2.0 CRDs), without what is k3d's only (the
/// external listener advertised on 127.0.0.1, an image that must have been imported), without any
/// Secret, and with images a registry override reaches. Gated on kubectl like the other kubectl tests.
/// </summary>
public sealed partial class DeployRootTests
{
    private const string Root = "deploy";

    private static readonly string[] Images = ["kafkademo-producer", "kafkademo-consumer", "kafkademo-overseer", "kafkademo-vibectl"];

    private static async Task<IReadOnlyList<JsonObject>> RenderAsync(string folder)
    {
        var kubectl = RequiredTools.Kubectl();
        var (exitCode, output, error) = await ExternalTool.RunAsync(kubectl, ["kustomize", folder]);
        Assert.True(exitCode == 0, $"kubectl kustomize {folder}: {error}");
        return YamlDocuments.Parse(output, $"kubectl kustomize {folder}");
    }

    [Fact]
    public async Task It_renders_Kafka_the_agent_the_load_and_the_Overseer_each_as_its_own_folder_does()
    {
        var objects = await RenderAsync(DeployManifests.FullPath(Root));

        // Every object of the four folders, and nothing else: the same objects but for the two k3d patches.
        var parts = new List<JsonObject>();
        foreach (var folder in new[] { "k3d/kafka", "k3d/agent", DeployManifests.Load, DeployManifests.Overseer })
        {
            parts.AddRange(await RenderAsync(DeployManifests.FullPath(folder)));
        }

        Assert.Equal(Identities(parts).Order(StringComparer.Ordinal), Identities(objects).Order(StringComparer.Ordinal));
        Assert.Equal(["kafka", "kafkademo-agent", "kafkademo-load", "kafkademo-overseer"],
            objects.Select(o => (string?)o["metadata"]!["namespace"]).OfType<string>().Distinct().Order(StringComparer.Ordinal));

        // No Namespace kafka: the operator's namespace is the user's, and kubectl delete -k must not take the operator with it.
        Assert.DoesNotContain(objects, o => (string?)o["kind"] == "Namespace" && (string?)o["metadata"]!["name"] == "kafka");
    }

    [Fact]
    public async Task Every_object_reads_strictly_and_the_Strimzi_objects_validate_against_the_CRDs()
    {
        SharedReference.RequireK8sReference();
        var objects = await RenderAsync(DeployManifests.FullPath(Root));

        var strimzi = objects.Where(o => ((string)o["apiVersion"]!).StartsWith("kafka.strimzi.io/", StringComparison.Ordinal)).ToList();
        Assert.Equal(["Kafka", "KafkaNodePool", "KafkaTopic", "KafkaTopic"], strimzi.Select(o => (string)o["kind"]!).Order(StringComparer.Ordinal));
        ManifestTests.AssertValid(strimzi.Append(objects.Named("ConfigMap", "kafkademo-metrics")));
        foreach (var item in objects.Except(strimzi))
        {
            DeployManifests.AssertReadsStrictly(item);
        }
    }

    [Fact]
    public async Task What_only_k3d_needs_is_gone_the_external_listener_and_the_imported_agent_image()
    {
        var objects = await RenderAsync(DeployManifests.FullPath(Root));
        var k3dKafka = (await RenderAsync(DeployManifests.FullPath("k3d/kafka"))).Named("Kafka", "kafkademo");
        var k3dAgent = (await RenderAsync(DeployManifests.FullPath("k3d/agent"))).Named("Deployment", "vibectl");

        // k3d's file has the external listener (advertised as 127.0.0.1); the root keeps the plain one only, unchanged.
        Assert.Contains(k3dKafka["spec"]!["kafka"]!["listeners"]!.AsArray(), l => (string?)l!["name"] == "external");
        var listeners = objects.Named("Kafka", "kafkademo")["spec"]!["kafka"]!["listeners"]!.AsArray();
        var plain = Assert.Single(listeners);
        Assert.True(JsonNode.DeepEquals(k3dKafka["spec"]!["kafka"]!["listeners"]!.AsArray().Single(l => (string?)l!["name"] == "plain"), plain));
        Assert.DoesNotContain("127.0.0.1", YamlDocuments.Write(objects.Named("Kafka", "kafkademo")), StringComparison.Ordinal);

        Assert.Equal("Never", (string?)k3dAgent.Container()["imagePullPolicy"]);
        Assert.All(objects.OfKind("Deployment"), d => Assert.Equal("IfNotPresent", (string?)d.Container()["imagePullPolicy"]));

        // The rest of the agent's Deployment is k3d/agent's.
        var agent = objects.Named("Deployment", "vibectl").DeepClone().AsObject();
        agent.Container()["imagePullPolicy"] = "Never";
        Assert.True(JsonNode.DeepEquals(k3dAgent, agent));
    }

    [Fact]
    public async Task An_images_override_reaches_all_four_images()
    {
        var overlay = Directory.CreateTempSubdirectory("kafkademo-deploy-overlay-").FullName;
        try
        {
            var images = string.Concat(Images.Select(i => $"  - name: {i}\n    newName: registry.example.com/kafkademo/{i}\n    newTag: \"1.0\"\n"));
            await File.WriteAllTextAsync(Path.Combine(overlay, "kustomization.yaml"),
                $"resources:\n  - {Path.GetRelativePath(overlay, DeployManifests.FullPath(Root))}\nimages:\n{images}", TestContext.Current.CancellationToken);

            var before = (await RenderAsync(DeployManifests.FullPath(Root))).OfKind("Deployment").Select(d => (string)d.Container()["image"]!).ToList();
            var after = (await RenderAsync(overlay)).OfKind("Deployment").Select(d => (string)d.Container()["image"]!).ToList();

            Assert.Equal(Images.Order(StringComparer.Ordinal), before.Select(i => i.Split(':')[0]).Order(StringComparer.Ordinal));
            Assert.Equal(Images.Select(i => $"registry.example.com/kafkademo/{i}:1.0").Order(StringComparer.Ordinal), after.Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(overlay, recursive: true);
        }
    }

    [Fact]
    public async Task No_file_holds_a_secret_and_every_secret_like_variable_is_a_reference_or_a_file_path()
    {
        Assert.DoesNotMatch(SecretKind(), await File.ReadAllTextAsync(DeployManifests.FullPath($"{Root}/kustomization.yaml"), TestContext.Current.CancellationToken));
        var objects = await RenderAsync(DeployManifests.FullPath(Root));

        Assert.Empty(objects.OfKind("Secret"));
        foreach (var deployment in objects.OfKind("Deployment"))
        {
            foreach (var env in (deployment.Container()["env"]?.AsArray() ?? []).Select(e => e!.AsObject()))
            {
                var name = (string)env["name"]!;
                if (!SecretNames.Pattern().IsMatch(name) || env["valueFrom"]?["secretKeyRef"] is not null)
                {
                    continue;
                }

                // vibectl's *_API_KEY_FILE: where the optional LLM key's Secret is mounted, not a key.
                Assert.True(name.EndsWith("_FILE", StringComparison.Ordinal) && ((string?)env["value"])?.StartsWith('/') == true,
                    $"{deployment.Describe()}: {name} looks like a secret but is neither a secretKeyRef nor a file path.");
            }
        }

        Assert.All(objects.OfKind("ConfigMap").SelectMany(c => c["data"]?.AsObject() ?? []), p => Assert.DoesNotMatch(SecretNames.Pattern(), p.Key));

        // The LLM key is optional: its Secret is mounted only if it exists.
        var llm = objects.Named("Deployment", "vibectl")["spec"]!["template"]!["spec"]!["volumes"]!.AsArray()
            .Single(v => v!["secret"] is not null)!["secret"]!;
        Assert.True((bool)llm["optional"]!);
    }

    private static IEnumerable<string> Identities(IEnumerable<JsonObject> objects) =>
        objects.Select(o => $"{o["kind"]} {o["metadata"]!["namespace"]}/{o["metadata"]!["name"]}");

    [GeneratedRegex(@"^\s*kind:\s*Secret\s*$", RegexOptions.Multiline)]
    private static partial Regex SecretKind();
}
