using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>Strimzi's custom resources as the product uses them: definitions, and applying them as the AppHost will.</summary>
internal static class Strimzi
{
    public const string Group = "kafka.strimzi.io";
    public const string Version = "v1";

    public static readonly ResourceType Kafkas = new(Group, Version, "kafkas");
    public static readonly ResourceType KafkaNodePools = new(Group, Version, "kafkanodepools");
    public static readonly ResourceType KafkaTopics = new(Group, Version, "kafkatopics");

    public static V1CustomResourceDefinition Definition(string kind, string plural) => new()
    {
        ApiVersion = "apiextensions.k8s.io/v1",
        Kind = "CustomResourceDefinition",
        Metadata = new V1ObjectMeta { Name = $"{plural}.{Group}", Labels = new Dictionary<string, string> { ["app"] = "strimzi" } },
        Spec = new V1CustomResourceDefinitionSpec
        {
            Group = Group,
            Scope = "Namespaced",
            Names = new V1CustomResourceDefinitionNames { Kind = kind, ListKind = kind + "List", Plural = plural, Singular = kind.ToLowerInvariant(), Categories = ["strimzi"] },
            Versions =
            [
                new V1CustomResourceDefinitionVersion
                {
                    Name = Version,
                    Served = true,
                    Storage = true,
                    Subresources = new V1CustomResourceSubresources { Status = new object() },
                    Schema = new V1CustomResourceValidation
                    {
                        OpenAPIV3Schema = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true },
                    },
                },
            ],
        },
    };

    /// <summary>Server-side applies the definition and waits, with a watch, until it is Established.</summary>
    public static async Task ApplyDefinitionAsync(IKubernetes client, string kind, string plural)
    {
        var definition = Definition(kind, plural);
        await client.ApiextensionsV1.PatchCustomResourceDefinitionAsync(
            new V1Patch(definition, V1Patch.PatchType.ApplyPatch), definition.Metadata.Name, fieldManager: "kafkademo-test", force: true,
            cancellationToken: FakeCluster.Token);
        await WaitEstablishedAsync(client, definition.Metadata.Name);
    }

    public static async Task WaitEstablishedAsync(IKubernetes client, string name)
    {
        using var deadline = FakeCluster.DeadlineToken();
        await foreach (var (_, item) in client.ApiextensionsV1.WatchListCustomResourceDefinitionAsync(
            fieldSelector: $"metadata.name={name}", cancellationToken: deadline.Token))
        {
            if (item.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true)
            {
                return;
            }
        }

        Assert.Fail($"The watch of {name} ended before it was Established.");
    }

    public static JsonObject Kafka(string name, string @namespace, int replicas = 3) => FakeCluster.Parse($$"""
        {
          "apiVersion": "kafka.strimzi.io/v1",
          "kind": "Kafka",
          "metadata": { "name": "{{name}}", "namespace": "{{@namespace}}", "labels": { "app": "kafkademo" } },
          "spec": {
            "kafka": {
              "replicas": {{replicas}},
              "listeners": [ { "name": "plain", "port": 9092, "type": "internal", "tls": false } ],
              "config": { "offsets.topic.replication.factor": 3 }
            }
          }
        }
        """);

    public static Task<object> ApplyAsync(IKubernetes client, JsonObject configuration, string manager, bool force = false) =>
        client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(configuration, V1Patch.PatchType.ApplyPatch),
            Group, Version, configuration["metadata"]!["namespace"]!.GetValue<string>(), PluralOf(configuration), configuration["metadata"]!["name"]!.GetValue<string>(),
            fieldManager: manager, force: force, cancellationToken: FakeCluster.Token);

    private static string PluralOf(JsonObject configuration) => configuration["kind"]!.GetValue<string>() switch
    {
        "Kafka" => "kafkas",
        "KafkaNodePool" => "kafkanodepools",
        "KafkaTopic" => "kafkatopics",
        var other => throw new ArgumentException($"Not a Strimzi kind here: {other}", nameof(configuration)),
    };
}
